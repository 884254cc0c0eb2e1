//! The report as one self-contained, printable HTML page: inline CSS (A4 print rules), charts as
//! inline SVG (the month's daily costs, each contract's hours per month), no script, no font, no
//! image and no other request (a Content-Security-Policy `default-src 'none'` says so to the
//! browser too). Every value from the snapshot is escaped; the summary is markdown rendered and
//! sanitised ([`super::markdown`]). A pure function of the snapshot and the build's metadata.

use std::fmt::Write as _;

use super::BuildInfo;
use super::snapshot::*;

/// The page.
pub fn render(s: &Snapshot, build: &BuildInfo) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let title = format!("{} · Monthly report · {}", s.customer.name, s.month.long_name());
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"generator\" content=\"Customer Central\">\
         <title>{}</title><style>{CSS}</style></head><body>\n",
        esc(&title)
    );
    let _ = writeln!(
        h,
        "<header><p class=\"kicker\">Monthly report</p><h1>{}</h1><p class=\"sub\">{} · {} to {}</p></header>",
        esc(&s.customer.name),
        esc(&s.month.long_name()),
        s.month.first_day(),
        s.month.last_day()
    );
    h.push_str("<nav aria-label=\"Contents\"><ol>");
    for (id, name) in SECTIONS {
        let _ = write!(h, "<li><a href=\"#{id}\">{name}</a></li>");
    }
    h.push_str("</ol></nav>\n<main>\n");
    summary(&mut h, &s.summary);
    billing(&mut h, s);
    compliance(&mut h, &s.compliance);
    renewals(&mut h, &s.renewals);
    optimisation(&mut h, &s.optimisation);
    utilisation(&mut h, s);
    breakglass(&mut h, s);
    h.push_str("</main>\n");
    let by = match &build.trigger {
        super::Trigger::Schedule => "the monthly schedule".to_string(),
        super::Trigger::Person { email } => email.clone(),
    };
    let _ = write!(
        h,
        "<footer><p>Version {} · built {} UTC by {}{} · report schema {}</p>\
         <p>Prepared by your Customer Central team. Amounts are as AWS billed them, in the billing currency; \
         days Cost Explorer still estimates are marked.</p></footer>\n</body></html>\n",
        build.version,
        build
            .built_at
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]"
            ))
            .unwrap_or_default(),
        esc(&by),
        if build.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", esc(&build.reason))
        },
        s.schema
    );
    h
}

/// Each section's anchor and heading, in the page's order.
pub const SECTIONS: [(&str, &str); 7] = [
    ("summary", "Summary"),
    ("billing", "Costs"),
    ("compliance", "Compliance"),
    ("renewals", "Upcoming renewals"),
    ("optimisation", "Cost optimisation"),
    ("utilisation", "Hours"),
    ("breakglass", "Breakglass access"),
];

fn heading(h: &mut String, id: &str) {
    let name = SECTIONS.iter().find(|(i, _)| *i == id).map_or(id, |(_, n)| n);
    let _ = writeln!(h, "<section id=\"{id}\"><h2>{name}</h2>");
}

fn missing<T>(h: &mut String, section: &Section<T>) -> bool {
    if let Section::Missing { reason, message } = section {
        let label = match reason {
            MissingReason::NoData => "No data yet",
            MissingReason::NotConfigured => "Not connected yet",
            MissingReason::Unavailable => "Could not be read",
        };
        let _ = write!(
            h,
            "<div class=\"missing\"><strong>{label}.</strong> {}</div>\n</section>\n",
            esc(message)
        );
        true
    } else {
        false
    }
}

fn summary(h: &mut String, s: &Section<Summary>) {
    heading(h, "summary");
    if missing(h, s) {
        return;
    }
    if let Some(d) = s.data() {
        let _ = write!(
            h,
            "<div class=\"prose\">{}</div>\n</section>\n",
            super::markdown::to_safe_html(&d.markdown)
        );
    }
}

fn billing(h: &mut String, s: &Snapshot) {
    heading(h, "billing");
    if missing(h, &s.billing) {
        return;
    }
    let Some(b) = s.billing.data() else { return };
    let _ = writeln!(
        h,
        "<p class=\"note\">{} of {} days have cost data.</p>",
        b.days_with_data,
        s.month.days()
    );
    for c in &b.currencies {
        let cur = &c.currency;
        if b.currencies.len() > 1 {
            let _ = writeln!(h, "<h3>In {}</h3>", esc(cur));
        }
        h.push_str("<div class=\"tiles\">");
        tile(
            h,
            "Total",
            &money(c.total, cur),
            if c.estimated { "includes estimated days" } else { "" },
        );
        match (c.previous_total, c.change) {
            (Some(p), Some(ch)) => {
                tile(h, "Previous month", &money(p, cur), "");
                let pct = c.change_ratio.map(percent).unwrap_or_else(|| "n/a".into());
                tile(h, "Change", &signed_money(ch, cur), &pct);
            }
            _ => tile(h, "Previous month", "no data", "nothing to compare with"),
        }
        h.push_str("</div>\n");
        daily_chart(h, s, c);
        h.push_str("<div class=\"cols\"><div>");
        h.push_str("<h3>By account</h3><table><thead><tr><th>Account</th><th class=\"num\">Amount</th><th class=\"num\">Share</th></tr></thead><tbody>");
        for a in &c.by_account {
            let name = match &a.name {
                Some(n) => format!("{} <span class=\"id\">{}</span>", esc(n), esc(&a.account)),
                None => format!("<span class=\"id\">{}</span>", esc(&a.account)),
            };
            let _ = write!(
                h,
                "<tr><td>{name}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                money(a.amount, cur),
                percent_plain(a.share)
            );
        }
        h.push_str("</tbody></table></div><div>");
        h.push_str("<h3>Top services</h3><table><thead><tr><th>Service</th><th class=\"num\">Amount</th><th class=\"num\">Share</th></tr></thead><tbody>");
        for sv in &c.top_services {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&sv.service),
                money(sv.amount, cur),
                percent_plain(sv.share)
            );
        }
        if let Some(o) = &c.other_services {
            let _ = write!(
                h,
                "<tr class=\"other\"><td>{} other service{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                o.services,
                if o.services == 1 { "" } else { "s" },
                money(o.amount, cur),
                percent_plain(o.share)
            );
        }
        h.push_str("</tbody></table></div></div>\n");
    }
    h.push_str("<h3>Cost anomalies</h3>");
    if b.anomalies.is_empty() {
        h.push_str("<p>No cost anomaly was detected this month.</p>");
    } else {
        h.push_str(
            "<table><thead><tr><th>Detected</th><th>Account and service</th><th>Kind</th><th class=\"num\">Impact</th>\
             <th>Status and what was done</th></tr></thead><tbody>",
        );
        for a in &b.anomalies {
            let account = match &a.account_name {
                Some(n) => format!("{} <span class=\"id\">{}</span>", esc(n), esc(&a.account)),
                None => format!("<span class=\"id\">{}</span>", esc(&a.account)),
            };
            let mut what = format!("<strong>{}</strong>", a.status.as_str());
            for (label, t) in [("Acknowledged", &a.acknowledged), ("Resolved", &a.resolved)] {
                if let Some(t) = t {
                    let _ = write!(
                        what,
                        "<br>{label} {} by {}{}",
                        t.at.date(),
                        esc(t.by.as_str()),
                        if t.note.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", esc(&t.note))
                        }
                    );
                }
            }
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{account}<br>{}</td><td>{}<br><span class=\"muted\">since {}</span></td>\
                 <td class=\"num\">{}<br><span class=\"muted\">{} expected, {} actual</span></td><td>{what}</td></tr>",
                a.detected_on,
                esc(&a.service),
                a.kind.as_str().replace('_', " "),
                a.first_day,
                money(a.impact, &a.currency),
                money(a.expected, &a.currency),
                money(a.actual, &a.currency),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("\n</section>\n");
}

/// Bars of each day's spend, estimated days lighter, with a few gridlines.
fn daily_chart(h: &mut String, s: &Snapshot, c: &CurrencyBilling) {
    let _ = writeln!(
        h,
        "<figure>{}<figcaption>{}</figcaption></figure>",
        daily_chart_svg(s, c),
        esc(&daily_caption(c))
    );
}

/// The daily costs chart's caption (`Daily costs in USD; lighter bars are ...`).
pub fn daily_caption(c: &CurrencyBilling) -> String {
    format!(
        "Daily costs in {}{}.",
        c.currency,
        if c.daily.iter().any(|d| d.estimated) {
            "; lighter bars are days Cost Explorer still estimates"
        } else {
            ""
        }
    )
}

/// The month's daily costs in one currency as a standalone SVG document (720 × 220 user units):
/// bars of each day's spend, estimated days lighter, with a few gridlines. Colours and text sizes
/// are presentation attributes, so the image draws the same inline in the page (whose stylesheet
/// refines them by class) and on its own (the PDF places these bytes as an image).
pub fn daily_chart_svg(s: &Snapshot, c: &CurrencyBilling) -> String {
    let mut h = String::with_capacity(8 * 1024);
    let (w, ht, left, bottom, top) = (720.0, 220.0, 64.0, 24.0, 10.0);
    let plot_h = ht - bottom - top;
    let max = c.daily.iter().map(|d| d.amount).fold(0.0_f64, f64::max);
    let (scale, steps) = axis(max);
    let n = c.daily.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let _ = write!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {ht}\" width=\"{w}\" height=\"{ht}\" \
         role=\"img\" aria-label=\"Daily costs in {} for {}\">",
        esc(&c.currency),
        esc(&s.month.long_name())
    );
    gridlines(&mut h, (w, left, top, plot_h), scale, steps);
    for (i, d) in c.daily.iter().enumerate() {
        let bh = if scale > 0.0 {
            (d.amount.max(0.0) / scale) * plot_h
        } else {
            0.0
        };
        let x = left + slot * i as f64 + slot * 0.15;
        let y = top + plot_h - bh;
        let (class, fill) = if d.estimated {
            ("bar est", BAR_ESTIMATED)
        } else {
            ("bar", BAR)
        };
        let _ = write!(
            h,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" class=\"{class}\" fill=\"{fill}\"><title>{}: {}{}</title></rect>",
            slot * 0.7,
            d.day,
            money(d.amount, &c.currency),
            if d.estimated { " (estimated)" } else { "" }
        );
        let day = d.day.day();
        if day == 1 || day % 5 == 0 {
            axis_label(&mut h, x + slot * 0.35, ht - 6.0, "middle", &day.to_string());
        }
    }
    h.push_str("</svg>");
    h
}

const BAR: &str = "#0972d3";
const BAR_ESTIMATED: &str = "#89bdee";
const BAR_OVER: &str = "#b3261e";
const INK: &str = "#16191f";
const MUTED: &str = "#5f6b7a";
const GRID: &str = "#e9ebed";

/// Horizontal gridlines with their values at the left, `steps` of them up to `scale`.
fn gridlines(h: &mut String, (w, left, top, plot_h): (f64, f64, f64, f64), scale: f64, steps: u32) {
    for i in 0..=steps {
        let v = scale * f64::from(i) / f64::from(steps);
        let y = top + plot_h - plot_h * f64::from(i) / f64::from(steps);
        let _ = write!(
            h,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\" stroke=\"{GRID}\" stroke-width=\"1\"/>",
            w - 8.0,
        );
        axis_label(h, left - 6.0, y + 4.0, "end", &compact(v));
    }
}

fn axis_label(h: &mut String, x: f64, y: f64, anchor: &str, text: &str) {
    let _ = write!(
        h,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" class=\"axis\" text-anchor=\"{anchor}\" font-size=\"10\" fill=\"{MUTED}\">{}</text>",
        esc(text)
    );
}

fn compliance(h: &mut String, s: &Section<ComplianceSection>) {
    heading(h, "compliance");
    if missing(h, s) {
        return;
    }
    let Some(c) = s.data() else { return };
    let _ = write!(
        h,
        "<p>{} open finding{} from {}.</p><div class=\"tiles\">",
        c.open_findings,
        if c.open_findings == 1 { "" } else { "s" },
        esc(&c.source)
    );
    for sc in &c.by_severity {
        tile(h, &title_case(sc.severity.as_str()), &sc.findings.to_string(), "");
    }
    h.push_str("</div>");
    if c.failing_controls.is_empty() {
        h.push_str("<p>No control check failed.</p>");
    } else {
        h.push_str(
            "<h3>Top failing controls</h3><table><thead><tr><th>Control</th><th>Severity</th>\
             <th class=\"num\">Failed checks</th><th class=\"num\">Accounts</th></tr></thead><tbody>",
        );
        for f in &c.failing_controls {
            let _ = write!(
                h,
                "<tr><td><span class=\"id\">{}</span> {}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&f.control_id),
                esc(&f.title),
                title_case(f.severity.as_str()),
                f.failed,
                f.accounts
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("\n</section>\n");
}

fn renewals(h: &mut String, s: &Section<RenewalsSection>) {
    heading(h, "renewals");
    if missing(h, s) {
        return;
    }
    let Some(r) = s.data() else { return };
    if r.ending.is_empty() {
        let _ = write!(
            h,
            "<p>No Savings Plan or reservation ends between {} and {}.</p>\n</section>\n",
            r.window_from, r.window_to
        );
        return;
    }
    let _ = write!(
        h,
        "<p>Commitments ending between {} and {}.</p><table><thead><tr><th>Ends</th><th>What</th><th>Account</th>\
         <th class=\"num\">Hourly</th><th>Payment</th></tr></thead><tbody>",
        r.window_from, r.window_to
    );
    for c in &r.ending {
        let kind = match c.kind {
            CommitmentKind::SavingsPlan => "Savings Plan",
            CommitmentKind::Ec2ReservedInstances => "EC2 reserved instances",
            CommitmentKind::RdsReservedInstances => "RDS reserved instances",
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{kind}: {}{}<br><span class=\"id\">{}</span></td><td><span class=\"id\">{}</span>{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>",
            c.ends_at.date(),
            esc(&c.description),
            c.count.map(|n| format!(" × {n}")).unwrap_or_default(),
            esc(&c.id),
            esc(&c.account),
            c.region.as_deref().map(|r| format!(" {}", esc(r))).unwrap_or_default(),
            match (c.hourly_commitment, &c.currency) {
                (Some(v), Some(cur)) => format!("{} {}", esc(cur), number(v, 4)),
                (Some(v), None) => number(v, 4),
                _ => "—".into(),
            },
            c.payment_option.as_deref().map(esc).unwrap_or_else(|| "—".into())
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn optimisation(h: &mut String, s: &Section<OptimisationSection>) {
    heading(h, "optimisation");
    if missing(h, s) {
        return;
    }
    let Some(o) = s.data() else { return };
    if o.recommendations.is_empty() {
        h.push_str("<p>Cost Explorer has no rightsizing or Savings Plans recommendation.</p>\n</section>\n");
        return;
    }
    h.push_str("<div class=\"tiles\">");
    for t in &o.total_monthly_savings {
        tile(h, "Estimated savings a month", &money(t.amount, &t.currency), "");
    }
    h.push_str(
        "</div><table><thead><tr><th>Recommendation</th><th>Account</th><th class=\"num\">Saves a month</th></tr></thead><tbody>",
    );
    for r in &o.recommendations {
        let kind = match r.kind {
            RecommendationKind::RightsizingModify => "Rightsize",
            RecommendationKind::RightsizingTerminate => "Terminate idle",
            RecommendationKind::SavingsPlansPurchase => "Buy a Savings Plan",
        };
        let _ = write!(
            h,
            "<tr><td>{kind}: {}{}</td><td><span class=\"id\">{}</span></td><td class=\"num\">{}</td></tr>",
            esc(&r.description),
            r.resource
                .as_deref()
                .map(|x| format!(" <span class=\"id\">{}</span>", esc(x)))
                .unwrap_or_default(),
            r.account.as_deref().map(esc).unwrap_or_default(),
            money(r.estimated_monthly_savings, &r.currency)
        );
    }
    h.push_str("</tbody></table>");
    if o.more > 0 {
        let _ = write!(h, "<p class=\"note\">And {} more.</p>", o.more);
    }
    h.push_str("\n</section>\n");
}

fn utilisation(h: &mut String, s: &Snapshot) {
    heading(h, "utilisation");
    if missing(h, &s.utilisation) {
        return;
    }
    let Some(u) = s.utilisation.data() else { return };
    for c in &u.contracts {
        let name = if c.name.is_empty() { &c.id } else { &c.name };
        let _ = write!(
            h,
            "<h3>{} <span class=\"id\">{}</span></h3><p class=\"note\">{} to {} · {}</p><div class=\"tiles\">",
            esc(name),
            esc(&c.id),
            c.start,
            c.end,
            c.status_words()
        );
        for (label, value, note) in c.tiles() {
            tile(h, label, &value, &note);
        }
        h.push_str("</div>");
        months_chart(h, c);
        if c.consistently_exceeded {
            h.push_str("<p class=\"warn\">The monthly allocation was exceeded in 3 of the last 4 complete months.</p>");
        }
    }
    h.push_str("\n</section>\n");
}

impl ReportContract {
    /// The figures the HTML and the PDF show as tiles, in order: (label, value, note), hours in
    /// words (`12.5 h`); a note is empty when there is nothing to add.
    pub fn tiles(&self) -> [(&'static str, String, String); 4] {
        [
            (
                "This month",
                hours_text(self.month_hours),
                self.month_allocation
                    .map(|a| {
                        format!(
                            "of {} allocated{}",
                            hours_text(a),
                            if self.month_exceeded { ", exceeded" } else { "" }
                        )
                    })
                    .unwrap_or_default(),
            ),
            (
                "Used",
                hours_text(self.used_hours),
                format!("of {}", hours_text(self.entitled_hours)),
            ),
            ("Left", hours_text(self.left_hours), String::new()),
            (
                "Forecast at the end",
                hours_text(self.forecast_hours),
                self.runs_out_on.map(|d| format!("runs out on {d}")).unwrap_or_default(),
            ),
        ]
    }

    /// The contract's status in words (`on track`, `every hour used`, ...).
    pub fn status_words(&self) -> &'static str {
        use crate::utilisation::usage::UsageStatus as S;
        match self.status {
            S::NotStarted => "not started",
            S::OnTrack => "on track",
            S::RunningOutEarly => "running out early at this pace",
            S::Exhausted => "every hour used",
            S::Ended => "ended",
        }
    }
}

/// Bars of hours per month, the allocation as a tick; exceeded months stand out.
fn months_chart(h: &mut String, c: &ReportContract) {
    if let Some(svg) = months_chart_svg(c) {
        let _ = writeln!(
            h,
            "<figure>{svg}<figcaption>{}</figcaption></figure>",
            esc(MONTHS_CAPTION)
        );
    }
}

/// The caption under a contract's hours chart.
pub const MONTHS_CAPTION: &str =
    "Hours logged per month; the dark tick is the month's allocation, red bars exceeded it.";

/// A contract's hours per month as a standalone SVG document (720 × 180 user units): bars of hours,
/// the allocation as a tick, exceeded months red; `None` when the contract has no month yet. Drawn
/// with presentation attributes like [`daily_chart_svg`].
pub fn months_chart_svg(c: &ReportContract) -> Option<String> {
    if c.months.is_empty() {
        return None;
    }
    let mut h = String::with_capacity(4 * 1024);
    let (w, ht, left, bottom, top) = (720.0, 180.0, 48.0, 24.0, 10.0);
    let plot_h = ht - bottom - top;
    let max = c
        .months
        .iter()
        .map(|m| m.hours.max(m.allocation.unwrap_or(0.0)))
        .fold(0.0_f64, f64::max);
    let (scale, steps) = axis(max);
    let n = c.months.len() as f64;
    let slot = ((w - left - 8.0) / n).min(80.0);
    let _ = write!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {ht}\" width=\"{w}\" height=\"{ht}\" \
         role=\"img\" aria-label=\"Hours per month of contract {}\">",
        esc(&c.id)
    );
    gridlines(&mut h, (w, left, top, plot_h), scale, steps);
    for (i, m) in c.months.iter().enumerate() {
        let bh = if scale > 0.0 {
            m.hours.max(0.0) / scale * plot_h
        } else {
            0.0
        };
        let x = left + slot * i as f64 + slot * 0.15;
        let (class, fill) = if m.exceeded {
            ("bar over", BAR_OVER)
        } else {
            ("bar", BAR)
        };
        let _ = write!(
            h,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" class=\"{class}\" fill=\"{fill}\"><title>{}: {}{}</title></rect>",
            top + plot_h - bh,
            slot * 0.7,
            m.month,
            hours_text(m.hours),
            m.allocation
                .map(|a| format!(" of {} allocated", hours_text(a)))
                .unwrap_or_default()
        );
        if let Some(a) = m.allocation {
            let y = top + plot_h - if scale > 0.0 { a / scale * plot_h } else { 0.0 };
            let _ = write!(
                h,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"alloc\" stroke=\"{INK}\" stroke-width=\"2\"/>",
                x - slot * 0.1,
                x + slot * 0.8
            );
        }
        axis_label(&mut h, x + slot * 0.35, ht - 6.0, "middle", &m.month.to_string()[2..]);
    }
    h.push_str("</svg>");
    Some(h)
}

fn breakglass(h: &mut String, s: &Snapshot) {
    heading(h, "breakglass");
    if missing(h, &s.breakglass) {
        return;
    }
    let Some(b) = s.breakglass.data() else { return };
    if b.sessions.is_empty() {
        let _ = write!(
            h,
            "<p>Nobody used breakglass (write) access to your accounts in {}.</p>\n</section>\n",
            esc(&s.month.long_name())
        );
        return;
    }
    h.push_str("<div class=\"tiles\">");
    tile(h, "Sessions", &b.sessions.len().to_string(), "");
    tile(h, "Time in all", &duration(b.total_minutes), "");
    tile(h, "People", &b.by_person.len().to_string(), "");
    tile(h, "Accounts", &b.by_account.len().to_string(), "");
    h.push_str("</div>");
    h.push_str(
        "<table><thead><tr><th>Granted (UTC)</th><th>Who</th><th>Account and role</th><th class=\"num\">Length</th>\
         <th>Why</th></tr></thead><tbody>",
    );
    for x in &b.sessions {
        let end = match (x.ended_at, x.end_reason) {
            (Some(_), Some(crate::access::EndReason::Revoked)) => "ended early",
            (Some(_), _) => "ended",
            (None, _) => "still active at the build",
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}<br><span class=\"muted\">approved by {}</span></td><td>{} <span class=\"id\">{}</span><br>\
             <span class=\"muted\">{}</span></td><td class=\"num\">{}<br><span class=\"muted\">{end}</span></td><td>{}{}</td></tr>",
            x.granted_at
                .format(time::macros::format_description!(
                    "[year]-[month]-[day] [hour]:[minute]"
                ))
                .unwrap_or_default(),
            esc(&x.requester),
            if x.approvers.is_empty() {
                "—".to_string()
            } else {
                esc(&x.approvers.join(", "))
            },
            esc(&x.account_name),
            esc(&x.account),
            esc(&x.role),
            duration(x.minutes),
            x.ticket
                .as_deref()
                .map(|t| format!("<span class=\"id\">{}</span> ", esc(t)))
                .unwrap_or_default(),
            esc(&x.justification)
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn tile(h: &mut String, label: &str, value: &str, note: &str) {
    let _ = write!(
        h,
        "<div class=\"tile\"><div class=\"label\">{}</div><div class=\"value\">{value}</div><div class=\"muted\">{}</div></div>",
        esc(label),
        esc(note)
    );
}

/// HTML-escapes text (element content and quoted attribute values alike).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1234567.891` → `1,234,567.89` (`places` decimals, thousands separated, `-` for negatives).
pub fn number(x: f64, places: usize) -> String {
    let s = format!("{:.*}", places, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// `USD 1,234.50`.
pub fn money(x: f64, currency: &str) -> String {
    format!("{} {}", esc(currency), number(x, 2))
}

pub fn signed_money(x: f64, currency: &str) -> String {
    let plus = if x > 0.0 { "+" } else { "" };
    format!("{plus}{}", money(x, currency))
}

/// `0.1234` → `+12.3 %`.
pub fn percent(r: f64) -> String {
    let plus = if r > 0.0 { "+" } else { "" };
    format!("{plus}{} %", number(r * 100.0, 1))
}

pub fn percent_plain(r: f64) -> String {
    format!("{} %", number(r * 100.0, 1))
}

/// `12.5 h`.
pub fn hours_text(x: f64) -> String {
    format!("{} h", number(x, if x.fract() == 0.0 { 0 } else { 2 }))
}

/// `95` minutes → `1 h 35 min`.
pub fn duration(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// An axis label: `1.2k`, `350`, `12.5`.
fn compact(v: f64) -> String {
    if v >= 1_000_000.0 {
        format!("{}M", number(v / 1_000_000.0, 1))
    } else if v >= 10_000.0 {
        format!("{}k", number(v / 1000.0, 0))
    } else if v >= 1000.0 {
        format!("{}k", number(v / 1000.0, 1))
    } else if v >= 10.0 || v.fract() == 0.0 {
        number(v, 0)
    } else if v >= 1.0 {
        number(v, 1)
    } else {
        number(v, 2)
    }
}

/// The axis: its top and how many gridline steps (4-6) reach it, each step 1, 2 or 5 × 10^n: the
/// lowest top at or above `max` (fewer steps on a tie), so labels read 0, 5, 10, ... 25 rather than
/// 6.25, 12.5, ... ; (1, 4) for nothing.
fn axis(max: f64) -> (f64, u32) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 4);
    }
    let mut best = (f64::INFINITY, 4);
    for n in 4..=6u32 {
        let raw = max / f64::from(n);
        let p = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * p)
            .find(|s| *s >= raw * (1.0 - 1e-12))
            .unwrap_or(10.0 * p);
        let top = step * f64::from(n);
        if top < best.0 - 1e-9 {
            best = (top, n);
        }
    }
    best
}

pub fn title_case(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

const CSS: &str = "\
:root{--ink:#16191f;--muted:#5f6b7a;--line:#d5dbdb;--accent:#0972d3;--bg:#f4f4f4;--warn:#b3261e}\
*{box-sizing:border-box}\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:860px;padding:24px}\
header{border-bottom:3px solid var(--accent);margin-bottom:16px}\
.kicker{text-transform:uppercase;letter-spacing:.08em;color:var(--accent);font-weight:600;margin:0}\
h1{font-size:28px;margin:4px 0}.sub{color:var(--muted);margin:0 0 12px}\
h2{font-size:20px;border-bottom:1px solid var(--line);padding-bottom:4px;margin:28px 0 12px}\
h3{font-size:15px;margin:18px 0 8px}\
nav ol{columns:2;margin:0 0 8px;padding-left:20px;color:var(--muted)}nav a{color:inherit;text-decoration:none}\
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 12px}\
.tile{flex:1 1 150px;border:1px solid var(--line);border-radius:6px;padding:8px 12px;background:#fff}\
.tile .label{font-size:12px;color:var(--muted)}.tile .value{font-size:20px;font-weight:600;white-space:nowrap}\
.muted{color:var(--muted);font-size:12px}.note{color:var(--muted)}.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:var(--muted)}\
table{border-collapse:collapse;width:100%;margin:4px 0 12px}th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}\
th{font-size:12px;color:var(--muted);font-weight:600}td.num,th.num{text-align:right;white-space:nowrap}tr.other td{color:var(--muted)}\
thead{display:table-header-group}tr{break-inside:avoid}\
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media (max-width:700px){.cols{grid-template-columns:1fr}}\
figure{margin:8px 0 12px}figcaption{font-size:12px;color:var(--muted)}\
svg.chart{width:100%;height:auto;display:block}.grid{stroke:#e9ebed;stroke-width:1}.axis{font-size:10px;fill:var(--muted)}\
.bar{fill:var(--accent)}.bar.est{fill:#89bdee}.bar.over{fill:var(--warn)}.alloc{stroke:var(--ink);stroke-width:2}\
.missing{border:1px dashed var(--line);background:var(--bg);border-radius:6px;padding:10px 12px;color:var(--muted)}\
.warn{color:var(--warn)}.prose{max-width:72ch}.prose table{width:auto}\
.prose h1,.prose h2,.prose h3,.prose h4{font-size:15px;border:0;padding:0;margin:14px 0 6px}\
footer{margin-top:32px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}\
@page{size:A4;margin:14mm}\
@media print{body{max-width:none;padding:0;font-size:11px}nav{display:none}section{break-inside:auto}h2,h3{break-after:avoid}figure,.tiles{break-inside:avoid}a{color:inherit;text-decoration:none}}\
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_thousands_and_keep_their_sign() {
        assert_eq!(number(1234567.891, 2), "1,234,567.89");
        assert_eq!(number(-1234.5, 2), "-1,234.50");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(percent(0.1234), "+12.3 %");
        assert_eq!(percent(-0.5), "-50.0 %");
        assert_eq!(duration(95), "1 h 35 min");
        assert_eq!(axis(0.0), (1.0, 4));
        assert_eq!(axis(24.25), (25.0, 5));
        assert_eq!(axis(1_650.0), (2_000.0, 4));
        assert_eq!(axis(73.0), (80.0, 4));
        assert_eq!(axis(20.0), (20.0, 4));
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
