//! The snapshot as the template's data: the same sections, figures and words as the HTML
//! ([`cc_domain::reports::html`], whose number, money, percent, hours and duration formats it
//! reuses), already formatted, so the template only lays them out. Plain strings throughout (no
//! HTML escaping: Typst shows a string as text).
//!
//! Shape (`data.json`): `{title, customer, code, month, period, date, footer, note, sections}`,
//! where `date` is the build's UTC time as `{year, month, day, hour, minute, second}` (the
//! document's date) and each section is `{id, title, missing}` (`missing`: `{label, message}` or
//! null) plus its own fields, below.

use cc_domain::access::EndReason;
use cc_domain::reports::html::{
    self, daily_caption, daily_chart_svg, duration, months_chart_svg, number, percent, percent_plain, title_case,
};
use cc_domain::reports::snapshot::*;
use cc_domain::reports::{BuildInfo, Trigger};
use serde_json::{Value, json};

/// The template's data for one report.
pub fn view(s: &Snapshot, build: &BuildInfo) -> Value {
    let by = match &build.trigger {
        Trigger::Schedule => "the monthly schedule".to_string(),
        Trigger::Person { email } => email.clone(),
    };
    let at = build.built_at.to_offset(time::UtcOffset::UTC);
    let footer = format!(
        "Version {} · built {} UTC by {}{} · report schema {}",
        build.version,
        minute(at),
        by,
        if build.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", build.reason)
        },
        s.schema
    );
    json!({
        "title": format!("{} · Monthly report · {}", s.customer.name, s.month.long_name()),
        "customer": s.customer.name,
        "code": s.customer.code.as_str(),
        "month": s.month.long_name(),
        "period": format!("{} to {}", s.month.first_day(), s.month.last_day()),
        "date": {
            "year": at.year(), "month": u8::from(at.month()), "day": at.day(),
            "hour": at.hour(), "minute": at.minute(), "second": at.second(),
        },
        "footer": footer,
        "note": "Prepared by your Customer Central team. Amounts are as AWS billed them, in the billing currency; \
                 days Cost Explorer still estimates are marked.",
        "sections": [
            section("summary", &s.summary, |d| json!({"blocks": crate::markdown::to_nodes(&d.markdown)})),
            section("billing", &s.billing, |b| billing(s, b)),
            section("compliance", &s.compliance, compliance),
            section("renewals", &s.renewals, renewals),
            section("optimisation", &s.optimisation, optimisation),
            section("utilisation", &s.utilisation, utilisation),
            section("breakglass", &s.breakglass, |b| breakglass(s, b)),
        ],
    })
}

/// `{id, title, missing, ...fields}`: the section's heading as the HTML names it, and either why it
/// has no data (the HTML's words) or `fields(data)`.
fn section<T>(id: &str, section: &Section<T>, fields: impl FnOnce(&T) -> Value) -> Value {
    let title = html::SECTIONS.iter().find(|(i, _)| *i == id).map_or(id, |(_, t)| t);
    let mut out = match section {
        Section::Ready { data } => fields(data),
        Section::Missing { .. } => json!({}),
    };
    let missing = match section {
        Section::Missing { reason, message } => json!({
            "label": match reason {
                MissingReason::NoData => "No data yet",
                MissingReason::NotConfigured => "Not connected yet",
                MissingReason::Unavailable => "Could not be read",
            },
            "message": message,
        }),
        Section::Ready { .. } => Value::Null,
    };
    if let Value::Object(m) = &mut out {
        m.insert("id".into(), id.into());
        m.insert("title".into(), title.into());
        m.insert("missing".into(), missing);
    }
    out
}

fn tile(label: &str, value: impl Into<String>, note: impl Into<String>) -> Value {
    json!({"label": label, "value": value.into(), "note": note.into()})
}

/// `USD 1,234.50` (the HTML's format, unescaped).
fn money(x: f64, currency: &str) -> String {
    format!("{currency} {}", number(x, 2))
}

fn signed_money(x: f64, currency: &str) -> String {
    format!("{}{}", if x > 0.0 { "+" } else { "" }, money(x, currency))
}

fn minute(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]"
    ))
    .unwrap_or_default()
}

fn billing(s: &Snapshot, b: &BillingSection) -> Value {
    let several = b.currencies.len() > 1;
    let currencies: Vec<Value> = b
        .currencies
        .iter()
        .map(|c| {
            let cur = c.currency.as_str();
            let mut tiles = vec![tile(
                "Total",
                money(c.total, cur),
                if c.estimated { "includes estimated days" } else { "" },
            )];
            match (c.previous_total, c.change) {
                (Some(p), Some(ch)) => {
                    tiles.push(tile("Previous month", money(p, cur), ""));
                    let pct = c.change_ratio.map(percent).unwrap_or_else(|| "n/a".into());
                    tiles.push(tile("Change", signed_money(ch, cur), pct));
                }
                _ => tiles.push(tile("Previous month", "no data", "nothing to compare with")),
            }
            let accounts: Vec<Value> = c
                .by_account
                .iter()
                .map(|a| {
                    json!({"name": a.name, "id": a.account, "amount": money(a.amount, cur), "share": percent_plain(a.share)})
                })
                .collect();
            let mut services: Vec<Value> = c
                .top_services
                .iter()
                .map(|sv| json!({"name": sv.service, "amount": money(sv.amount, cur), "share": percent_plain(sv.share), "other": false}))
                .collect();
            if let Some(o) = &c.other_services {
                services.push(json!({
                    "name": format!("{} other service{}", o.services, if o.services == 1 { "" } else { "s" }),
                    "amount": money(o.amount, cur),
                    "share": percent_plain(o.share),
                    "other": true,
                }));
            }
            json!({
                "heading": if several { Some(format!("In {cur}")) } else { None },
                "tiles": tiles,
                "chart": daily_chart_svg(s, c),
                "caption": daily_caption(c),
                "accounts": accounts,
                "services": services,
            })
        })
        .collect();
    let anomalies: Vec<Value> = b
        .anomalies
        .iter()
        .map(|a| {
            let mut done = Vec::new();
            for (label, t) in [("Acknowledged", &a.acknowledged), ("Resolved", &a.resolved)] {
                if let Some(t) = t {
                    done.push(format!(
                        "{label} {} by {}{}",
                        t.at.date(),
                        t.by.as_str(),
                        if t.note.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", t.note)
                        }
                    ));
                }
            }
            json!({
                "detected": a.detected_on.to_string(),
                "account_name": a.account_name,
                "account": a.account,
                "service": a.service,
                "kind": a.kind.as_str().replace('_', " "),
                "since": format!("since {}", a.first_day),
                "impact": money(a.impact, &a.currency),
                "expected": format!("{} expected, {} actual", money(a.expected, &a.currency), money(a.actual, &a.currency)),
                "status": a.status.as_str(),
                "done": done,
            })
        })
        .collect();
    json!({
        "note": format!("{} of {} days have cost data.", b.days_with_data, s.month.days()),
        "currencies": currencies,
        "anomalies": anomalies,
    })
}

fn compliance(c: &ComplianceSection) -> Value {
    let tiles: Vec<Value> = c
        .by_severity
        .iter()
        .map(|sc| tile(&title_case(sc.severity.as_str()), sc.findings.to_string(), ""))
        .collect();
    let controls: Vec<Value> = c
        .failing_controls
        .iter()
        .map(|f| {
            json!({
                "id": f.control_id, "title": f.title, "severity": title_case(f.severity.as_str()),
                "failed": f.failed.to_string(), "accounts": f.accounts.to_string(),
            })
        })
        .collect();
    json!({
        "intro": format!(
            "{} open finding{} from {}.",
            c.open_findings,
            if c.open_findings == 1 { "" } else { "s" },
            c.source
        ),
        "tiles": tiles,
        "controls": controls,
    })
}

fn renewals(r: &RenewalsSection) -> Value {
    if r.ending.is_empty() {
        return json!({
            "empty": format!("No Savings Plan or reservation ends between {} and {}.", r.window_from, r.window_to),
            "rows": [],
        });
    }
    let rows: Vec<Value> = r
        .ending
        .iter()
        .map(|c| {
            let kind = match c.kind {
                CommitmentKind::SavingsPlan => "Savings Plan",
                CommitmentKind::Ec2ReservedInstances => "EC2 reserved instances",
                CommitmentKind::RdsReservedInstances => "RDS reserved instances",
            };
            json!({
                "ends": c.ends_at.date().to_string(),
                "what": format!("{kind}: {}{}", c.description, c.count.map(|n| format!(" × {n}")).unwrap_or_default()),
                "id": c.id,
                "account": c.account,
                "region": c.region,
                "hourly": match (c.hourly_commitment, &c.currency) {
                    (Some(v), Some(cur)) => format!("{cur} {}", number(v, 4)),
                    (Some(v), None) => number(v, 4),
                    _ => "—".into(),
                },
                "payment": c.payment_option.clone().unwrap_or_else(|| "—".into()),
            })
        })
        .collect();
    json!({
        "empty": null,
        "intro": format!("Commitments ending between {} and {}.", r.window_from, r.window_to),
        "rows": rows,
    })
}

fn optimisation(o: &OptimisationSection) -> Value {
    if o.recommendations.is_empty() {
        return json!({"empty": "Cost Explorer has no rightsizing or Savings Plans recommendation.", "rows": []});
    }
    let tiles: Vec<Value> = o
        .total_monthly_savings
        .iter()
        .map(|t| tile("Estimated savings a month", money(t.amount, &t.currency), ""))
        .collect();
    let rows: Vec<Value> = o
        .recommendations
        .iter()
        .map(|r| {
            let kind = match r.kind {
                RecommendationKind::RightsizingModify => "Rightsize",
                RecommendationKind::RightsizingTerminate => "Terminate idle",
                RecommendationKind::SavingsPlansPurchase => "Buy a Savings Plan",
            };
            json!({
                "what": format!("{kind}: {}", r.description),
                "resource": r.resource,
                "account": r.account,
                "saves": money(r.estimated_monthly_savings, &r.currency),
            })
        })
        .collect();
    json!({
        "empty": null,
        "tiles": tiles,
        "rows": rows,
        "more": if o.more > 0 { Some(format!("And {} more.", o.more)) } else { None },
    })
}

fn utilisation(u: &UtilisationSection) -> Value {
    let contracts: Vec<Value> = u
        .contracts
        .iter()
        .map(|c| {
            let name = if c.name.is_empty() { &c.id } else { &c.name };
            let tiles: Vec<Value> = c.tiles().into_iter().map(|(l, v, n)| tile(l, v, n)).collect();
            json!({
                "name": name,
                "id": c.id,
                "note": format!("{} to {} · {}", c.start, c.end, c.status_words()),
                "tiles": tiles,
                "chart": months_chart_svg(c),
                "caption": html::MONTHS_CAPTION,
                "warn": if c.consistently_exceeded {
                    Some("The monthly allocation was exceeded in 3 of the last 4 complete months.")
                } else {
                    None
                },
            })
        })
        .collect();
    json!({"contracts": contracts})
}

fn breakglass(s: &Snapshot, b: &BreakglassSection) -> Value {
    if b.sessions.is_empty() {
        return json!({
            "empty": format!("Nobody used breakglass (write) access to your accounts in {}.", s.month.long_name()),
            "rows": [],
        });
    }
    let tiles = vec![
        tile("Sessions", b.sessions.len().to_string(), ""),
        tile("Time in all", duration(b.total_minutes), ""),
        tile("People", b.by_person.len().to_string(), ""),
        tile("Accounts", b.by_account.len().to_string(), ""),
    ];
    let rows: Vec<Value> = b
        .sessions
        .iter()
        .map(|x| {
            let end = match (x.ended_at, x.end_reason) {
                (Some(_), Some(EndReason::Revoked)) => "ended early",
                (Some(_), _) => "ended",
                (None, _) => "still active at the build",
            };
            json!({
                "granted": minute(x.granted_at.to_offset(time::UtcOffset::UTC)),
                "who": x.requester,
                "approved": format!(
                    "approved by {}",
                    if x.approvers.is_empty() { "—".to_string() } else { x.approvers.join(", ") }
                ),
                "account_name": x.account_name,
                "account": x.account,
                "role": x.role,
                "length": duration(x.minutes),
                "end": end,
                "ticket": x.ticket,
                "why": x.justification,
            })
        })
        .collect();
    json!({"empty": null, "tiles": tiles, "rows": rows})
}
