//! The report from fixed facts, without a store: each section's numbers against sums the test makes
//! itself, the HTML showing them (escaped, self-contained), and the same facts giving the same
//! snapshot whatever order they come in.

use std::collections::BTreeMap;

use time::macros::{date, datetime};
use time::{Date, Duration};

use super::html::{self, money};
use super::month::ReportMonth;
use super::ports::SourceError;
use super::sections::{self, BillingFacts};
use super::snapshot::*;
use super::{BuildInfo, Trigger};
use crate::billing::anomaly::{Finding, FindingKind};
use crate::billing::costs::{CellSource, DailyCost};
use crate::billing::lifecycle::{Anomaly, AnomalyStatus};
use crate::billing::store::StoredAnomaly;
use crate::ids::{AccountId, CustomerCode, Email};

const A: &str = "111111111111";
const B: &str = "222222222222";
const MARCH: &str = "2026-03";

fn cell(account: &str, service: &str, day: Date, amount: f64, estimated: bool) -> DailyCost {
    DailyCost {
        account: AccountId::parse(account).unwrap(),
        service: service.into(),
        day,
        amount,
        currency: "USD".into(),
        estimated,
        source: CellSource::Demo,
    }
}

/// March 2026: A spends 100.10 a day on EC2 and 3.333 on S3; B 20 a day on RDS from the 10th and
/// 12 services of 1.5 each on the 1st; the last two days estimated. February: 50 a day on EC2 in A.
fn cells() -> Vec<DailyCost> {
    let mut out = Vec::new();
    let march = ReportMonth::parse(MARCH).unwrap();
    for i in 0..31 {
        let d = march.first_day() + Duration::days(i);
        let est = i >= 29;
        out.push(cell(A, "Amazon EC2", d, 100.10, est));
        out.push(cell(A, "Amazon S3", d, 3.333, est));
        if d.day() >= 10 {
            out.push(cell(B, "Amazon RDS", d, 20.0, est));
        }
    }
    for s in 0..12 {
        out.push(cell(B, &format!("Service {s:02}"), march.first_day(), 1.5, false));
    }
    for i in 0..28 {
        out.push(cell(
            A,
            "Amazon EC2",
            date!(2026 - 02 - 01) + Duration::days(i),
            50.0,
            false,
        ));
    }
    // April is outside the report.
    out.push(cell(A, "Amazon EC2", date!(2026 - 04 - 01), 9999.0, true));
    out
}

fn anomaly(id: &str, detected: Date, resolved_note: Option<&str>) -> StoredAnomaly {
    let finding = Finding {
        kind: FindingKind::Step,
        first_day: detected - Duration::days(2),
        detected_on: detected,
        last_day: detected,
        expected: 20.0,
        actual: 55.555,
        impact: 107.125,
    };
    let mut a = Anomaly::open(AccountId::parse(B).unwrap(), "Amazon RDS", finding);
    if let Some(note) = resolved_note {
        a = a
            .resolve(
                &Email::parse("erin@example.com").unwrap(),
                datetime!(2026-03-20 10:00 UTC),
                note,
            )
            .unwrap();
    }
    StoredAnomaly {
        id: id.into(),
        customer: CustomerCode::parse("acme").unwrap(),
        currency: "USD".into(),
        status: a.status(),
        raised_at: datetime!(2026-03-15 06:00 UTC),
        anomaly: a,
        version: 1,
    }
}

fn names() -> BTreeMap<String, String> {
    BTreeMap::from([(A.to_string(), "Production <main>".to_string())])
}

fn snapshot(cells: &[DailyCost], summary: Option<&str>) -> Snapshot {
    let month = ReportMonth::parse(MARCH).unwrap();
    let anomalies = vec![
        anomaly(
            "20260312-00000000000000aa",
            date!(2026 - 03 - 12),
            Some("Scaled the <db> back down & checked"),
        ),
        anomaly("20260228-00000000000000bb", date!(2026 - 02 - 28), None),
    ];
    let names = names();
    Snapshot {
        schema: SCHEMA,
        customer: ReportCustomer {
            code: CustomerCode::parse("acme").unwrap(),
            name: "Acme <Retail> & Co".into(),
        },
        month,
        summary: sections::summary(summary),
        billing: sections::billing(&BillingFacts {
            month,
            cells,
            anomalies: &anomalies,
            account_names: &names,
            last_fetch: None,
        }),
        compliance: sections::compliance("Security Hub", Err(SourceError::NotConfigured("not connected".into()))),
        renewals: sections::renewals(month, Err(SourceError::NotConfigured("not connected".into()))),
        optimisation: sections::optimisation(Err(SourceError::Unavailable("throttled".into()))),
        utilisation: sections::utilisation(month, &[]),
        breakglass: sections::breakglass(month, "acme", &[]),
    }
}

fn build() -> BuildInfo {
    BuildInfo {
        version: 2,
        built_at: datetime!(2026-04-03 07:00 UTC),
        trigger: Trigger::Person {
            email: "erin@example.com".into(),
        },
        reason: "new summary".into(),
    }
}

#[test]
fn billing_figures_are_the_months_sums_per_account_service_and_day() {
    let all = cells();
    let s = snapshot(&all, None);
    let b = s.billing.data().expect("billing is ready");
    let (first, last) = (date!(2026 - 03 - 01), date!(2026 - 03 - 31));
    let march: Vec<&DailyCost> = all.iter().filter(|c| (first..=last).contains(&c.day)).collect();
    let total: f64 = march.iter().map(|c| c.amount).sum();
    let feb: f64 = all
        .iter()
        .filter(|c| c.day.month() == time::Month::February)
        .map(|c| c.amount)
        .sum();
    let usd = &b.currencies[0];
    assert_eq!(usd.currency, "USD");
    assert_eq!(usd.total, cents(total));
    assert_eq!(usd.previous_total, Some(cents(feb)));
    assert_eq!(usd.change, Some(cents(total - feb)));
    assert_eq!(usd.change_ratio, Some(ratio((total - feb) / feb)));
    assert!(usd.estimated);
    assert_eq!(b.days_with_data, 31);
    // By account, largest first, with the hub's name.
    let a_total: f64 = march.iter().filter(|c| c.account.as_str() == A).map(|c| c.amount).sum();
    assert_eq!(usd.by_account[0].account, A);
    assert_eq!(usd.by_account[0].amount, cents(a_total));
    assert_eq!(usd.by_account[0].name.as_deref(), Some("Production <main>"));
    assert_eq!(usd.by_account[1].name, None);
    // Ten services named, the other five summed (2 of the 12 small ones tie with... none: all 1.5).
    assert_eq!(usd.top_services.len(), TOP_SERVICES);
    assert_eq!(usd.top_services[0].service, "Amazon EC2");
    assert_eq!(usd.top_services[0].amount, cents(100.10 * 31.0));
    let other = usd.other_services.as_ref().unwrap();
    assert_eq!((other.services, other.amount), (5, 7.5));
    // Every day, in order; the 10th on has RDS.
    assert_eq!(usd.daily.len(), 31);
    assert_eq!(usd.daily[0].amount, cents(100.10 + 3.333 + 12.0 * 1.5));
    assert_eq!(usd.daily[9].amount, cents(100.10 + 3.333 + 20.0));
    assert!(usd.daily[30].estimated && !usd.daily[28].estimated);
    // The month's anomaly only (February's is another month's), with what was done.
    assert_eq!(b.anomalies.len(), 1);
    assert_eq!(b.anomalies[0].status, AnomalyStatus::Resolved);
    assert_eq!(b.anomalies[0].actual, 55.56);
    assert_eq!(
        b.anomalies[0].resolved.as_ref().unwrap().note,
        "Scaled the <db> back down & checked"
    );
}

#[test]
fn the_html_shows_every_section_with_the_figures_escaped_and_self_contained() {
    let all = cells();
    let s = snapshot(
        &all,
        Some("## March\n\nWe **patched** everything. <script>alert('x')</script>"),
    );
    let page = html::render(&s, &build());
    let total: f64 = all
        .iter()
        .filter(|c| c.day.month() == time::Month::March)
        .map(|c| c.amount)
        .sum();
    let feb: f64 = 50.0 * 28.0;
    for want in [
        money(cents(total), "USD"),
        money(cents(feb), "USD"),
        format!("+{}", money(cents(total - feb), "USD")),
        html::percent(ratio((total - feb) / feb)),
        money(cents(100.10 * 31.0), "USD"),
        "5 other services".to_string(),
        "USD 107.13".to_string(),
        "Acme &lt;Retail&gt; &amp; Co".into(),
        "Production &lt;main&gt;".into(),
        "Scaled the &lt;db&gt; back down &amp; checked".into(),
        "<strong>patched</strong>".into(),
        "Version 2 · built 2026-04-03 07:00 UTC by erin@example.com (new summary)".into(),
        "Not connected yet.".into(),
        "Could not be read.</strong> Throttled.".into(),
        "No contract of this customer covers March 2026.".into(),
        "Nobody used breakglass (write) access to your accounts in March 2026.".into(),
    ] {
        assert!(page.contains(&want), "{want} missing");
    }
    for (id, name) in html::SECTIONS {
        assert!(page.contains(&format!("<section id=\"{id}\"><h2>{name}</h2>")), "{id}");
    }
    // 31 bars in the daily chart, and nothing that would make a request or run.
    assert_eq!(page.matches("<rect ").count(), 31);
    for bad in [
        "<script",
        "alert(",
        "<img",
        "<link",
        "@import",
        "url(",
        "src=",
        "<iframe",
        "Acme <Retail>",
    ] {
        assert!(!page.contains(bad), "{bad} in the page");
    }
}

/// A source's reason worded as a clause reads as a sentence after the section's label, the same
/// in the snapshot (what the PDF and the API show) as in the page.
#[test]
fn every_missing_reason_reads_as_a_sentence_in_the_page_and_the_snapshot() {
    let mut s = snapshot(&cells(), None);
    s.renewals = sections::renewals(
        s.month,
        Err(SourceError::NoData("the customer has no accounts in the hub".into())),
    );
    s.optimisation = sections::optimisation(Err(SourceError::Unavailable(
        "Cost Explorer GetRightsizingRecommendation in account 111111111111 failed: throttled".into(),
    )));
    let page = html::render(&s, &build());
    for (section, label, message) in [
        (
            &serde_json::to_value(&s.renewals).unwrap(),
            "No data yet.",
            "The customer has no accounts in the hub.",
        ),
        (
            &serde_json::to_value(&s.optimisation).unwrap(),
            "Could not be read.",
            "Cost Explorer GetRightsizingRecommendation in account 111111111111 failed: throttled.",
        ),
        (
            &serde_json::to_value(&s.summary).unwrap(),
            "No data yet.",
            "The team has not written a summary for this month.",
        ),
    ] {
        assert_eq!(section["message"], message);
        let shown = format!("<strong>{label}</strong> {message}</div>");
        assert!(page.contains(&shown), "{shown} not in the page");
    }
    // Every missing section of the page: a capital after the label, a full stop at the end.
    let bad = not_sentences(&page);
    assert!(bad.is_empty(), "not sentences: {bad:?}");
}

/// The text after each missing section's label that does not start with a capital or end a
/// sentence.
fn not_sentences(page: &str) -> Vec<String> {
    page.split("<div class=\"missing\"><strong>")
        .skip(1)
        .filter_map(|rest| {
            let (_, after) = rest.split_once("</strong> ")?;
            let (message, _) = after.split_once("</div>")?;
            let sentence = message.chars().next().is_some_and(char::is_uppercase) && message.ends_with(['.', '!', '?']);
            (!sentence).then(|| message.to_string())
        })
        .collect()
}

/// The report is what the customer reads: no section's "missing" text gives the team's
/// instructions (commands, API routes, cargo features, environment variables).
#[test]
fn missing_sections_speak_to_the_customer_not_the_team() {
    fn message<T>(s: Section<T>) -> String {
        match s {
            Section::Missing { message, .. } => message,
            Section::Ready { .. } => panic!("expected a missing section"),
        }
    }
    let month = ReportMonth::parse(MARCH).unwrap();
    let mut messages: Vec<String> = super::ports::NOT_CONFIGURED.iter().map(|m| m.to_string()).collect();
    messages.push(super::gather::NO_FINDINGS.to_string());
    messages.push(message(sections::summary(None)));
    messages.push(message(sections::billing(&BillingFacts {
        month,
        cells: &[],
        anomalies: &[],
        account_names: &BTreeMap::new(),
        last_fetch: None,
    })));
    messages.push(message(sections::utilisation(month, &[])));
    for m in &messages {
        for operator in [
            "`",
            "cc ",
            "/api/",
            "POST ",
            "GET ",
            "CC_",
            "cargo",
            "feature",
            "--",
            "{customer}",
            "CODE",
        ] {
            assert!(!m.contains(operator), "{operator:?} in the customer's text: {m}");
        }
        assert_eq!(&super::snapshot::sentence(m), m, "not a sentence: {m}");
    }
    assert!(super::gather::NO_FINDINGS.starts_with("Security findings were not available for this month: "));
}

/// The first and last months of the range: 2000-01 has no month before it (no comparison, no
/// read of 1999), 2099-12 ends on 2100-01-01, a day after the range (a bound, never a read).
#[test]
fn the_first_and_last_months_of_the_range_give_every_section() {
    for (m, feb_like) in [("2000-01", None), ("2099-12", Some(date!(2099 - 11 - 30)))] {
        let month = ReportMonth::parse(m).unwrap();
        let mut cells = vec![cell(A, "Amazon EC2", month.first_day(), 10.0, false)];
        if let Some(day) = feb_like {
            cells.push(cell(A, "Amazon EC2", day, 4.0, false));
        }
        let s = sections::billing(&BillingFacts {
            month,
            cells: &cells,
            anomalies: &[],
            account_names: &names(),
            last_fetch: None,
        });
        let usd = &s.data().unwrap().currencies[0];
        assert_eq!(usd.total, 10.0);
        assert_eq!(usd.previous_total, feb_like.map(|_| 4.0), "{m}");
        assert!(sections::breakglass(month, "acme", &[]).is_ready());
        let renewals = sections::renewals(month, Ok(vec![])).data().unwrap().clone();
        assert_eq!(renewals.window_from, month.end());
        assert!(!sections::utilisation(month, &[]).is_ready());
    }
}

#[test]
fn the_same_facts_in_any_order_give_the_same_snapshot_and_page() {
    let all = cells();
    let mut shuffled = all.clone();
    shuffled.reverse();
    shuffled.rotate_left(17);
    let (a, b) = (snapshot(&all, Some("x")), snapshot(&shuffled, Some("x")));
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    assert_eq!(html::render(&a, &build()), html::render(&b, &build()));
    let back: Snapshot = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
    assert_eq!(back, a);
}

#[test]
fn a_month_without_costs_says_so_and_why() {
    let s = snapshot(&[], None);
    match &s.billing {
        Section::Missing { reason, message } => {
            assert_eq!(*reason, MissingReason::NoData);
            assert_eq!(
                message,
                "No costs are stored for March 2026: no billing data has been collected for these accounts yet."
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!s.summary.is_ready());
    // A skipped or failed fetch says so without the fetch's reason (the team's instructions).
    let last: crate::billing::fetch::LastFetch = serde_json::from_value(serde_json::json!({
        "run": "r1", "trigger": {"kind": "schedule"}, "at": "2026-04-02T06:00:00Z",
        "entries": [{"customer": "acme", "payer": null, "status": "skipped",
                     "reason": "no management (payer) account in the hub: mark the organisation's management account",
                     "metric": null, "backfill": false, "days_fetched": 0, "cells_written": 0, "estimated_days": 0,
                     "requests": 0, "cost_usd": 0.0, "organization": null}]
    }))
    .unwrap();
    let s = sections::billing(&BillingFacts {
        month: ReportMonth::parse(MARCH).unwrap(),
        cells: &[],
        anomalies: &[],
        account_names: &names(),
        last_fetch: Some(&last),
    });
    let Section::Missing { message, .. } = s else {
        panic!("{s:?}")
    };
    assert_eq!(
        message,
        "No costs are stored for March 2026: the last billing update could not read them."
    );
}

#[test]
fn summaries_are_checked_and_line_breaks_normalised() {
    assert_eq!(sections::normalise_summary("a\r\nb\rc\td").unwrap(), "a\nb\nc\td");
    assert!(sections::normalise_summary(&"x".repeat(20_000)).is_ok());
    let e = sections::normalise_summary(&"é".repeat(20_001)).unwrap_err();
    assert!(e.to_string().contains("20001 characters; at most 20000"), "{e}");
    assert!(sections::normalise_summary("bad \u{202E} text").is_err());
    assert!(sections::normalise_summary("nul \u{0} here").is_err());
}

mod sources {
    use super::*;

    fn finding(
        id: &str,
        account: &str,
        severity: SeverityLabel,
        status: Option<ComplianceStatus>,
        control: Option<&str>,
    ) -> ComplianceFinding {
        ComplianceFinding {
            id: id.into(),
            account: account.into(),
            region: Some("eu-west-1".into()),
            title: format!("title of {id}"),
            severity,
            compliance_status: status,
            control_id: control.map(String::from),
            product: "Security Hub".into(),
            workflow_status: Some(WorkflowStatus::New),
        }
    }

    #[test]
    fn compliance_counts_open_findings_by_severity_and_ranks_failing_controls() {
        use ComplianceStatus::*;
        use SeverityLabel::*;
        let found = vec![
            finding("f1", A, High, Some(Failed), Some("S3.8")),
            finding("f2", B, High, Some(Failed), Some("S3.8")),
            finding("f0", A, Medium, Some(Failed), Some("S3.8")),
            finding("f3", A, Critical, Some(Failed), Some("IAM.6")),
            finding("f4", A, Low, Some(Passed), Some("EC2.2")),
            finding("f5", B, Medium, None, None),
            finding("f6", B, Informational, Some(Warning), Some("CloudTrail.1")),
        ];
        let s = sections::compliance("Security Hub", Ok(found));
        let c = s.data().unwrap();
        assert_eq!(c.open_findings, 6, "the passed check is not open");
        let counts: Vec<(SeverityLabel, u32)> = c.by_severity.iter().map(|s| (s.severity, s.findings)).collect();
        assert_eq!(
            counts,
            vec![(Critical, 1), (High, 2), (Medium, 2), (Low, 0), (Informational, 1)]
        );
        assert_eq!(c.failing_controls[0].control_id, "S3.8");
        assert_eq!((c.failing_controls[0].failed, c.failing_controls[0].accounts), (3, 2));
        assert_eq!(c.failing_controls[0].severity, High);
        assert_eq!(c.failing_controls[0].title, "title of f0");
        assert_eq!(c.failing_controls[1].control_id, "IAM.6");
        assert_eq!(c.failing_controls.len(), 2, "a warning is not a failure");
    }

    #[test]
    fn renewals_keep_what_ends_within_90_days_of_the_month_soonest_first() {
        let month = ReportMonth::parse(MARCH).unwrap();
        let c = |id: &str, ends: time::OffsetDateTime| Commitment {
            kind: CommitmentKind::SavingsPlan,
            id: id.into(),
            account: A.into(),
            region: None,
            description: "Compute Savings Plan".into(),
            count: None,
            ends_at: ends,
            state: "active".into(),
            hourly_commitment: Some(2.5),
            payment_option: Some("No Upfront".into()),
            currency: Some("USD".into()),
        };
        let s = sections::renewals(
            month,
            Ok(vec![
                c("late", datetime!(2026-06-30 00:00 UTC)),
                c("in-window-2", datetime!(2026-06-29 23:00 UTC)),
                c("ended-in-march", datetime!(2026-03-31 12:00 UTC)),
                c("in-window-1", datetime!(2026-04-01 00:00 UTC)),
            ]),
        );
        let r = s.data().unwrap();
        assert_eq!(
            (r.window_from, r.window_to),
            (date!(2026 - 04 - 01), date!(2026 - 06 - 29))
        );
        let ids: Vec<&str> = r.ending.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["in-window-1", "in-window-2"]);
    }

    #[test]
    fn optimisation_lists_the_largest_savings_and_totals_per_currency() {
        let r = |kind, savings: f64, currency: &str| Recommendation {
            kind,
            account: Some(A.into()),
            resource: None,
            description: format!("{savings}"),
            estimated_monthly_savings: savings,
            currency: currency.into(),
        };
        let mut all: Vec<Recommendation> = (0..25)
            .map(|i| r(RecommendationKind::RightsizingModify, f64::from(i) + 0.004, "USD"))
            .collect();
        all.push(r(RecommendationKind::SavingsPlansPurchase, 10.0, "EUR"));
        let s = sections::optimisation(Ok(all));
        let o = s.data().unwrap();
        assert_eq!(o.recommendations.len(), TOP_RECOMMENDATIONS);
        assert_eq!(o.more, 6);
        assert_eq!(o.recommendations[0].estimated_monthly_savings, 24.0);
        let usd: f64 = (0..25).map(f64::from).sum();
        assert_eq!(
            o.total_monthly_savings,
            vec![
                Money {
                    amount: 10.0,
                    currency: "EUR".into()
                },
                Money {
                    amount: cents(usd),
                    currency: "USD".into()
                }
            ]
        );
        assert_eq!(
            sections::optimisation(Err(SourceError::NotConfigured("x".into()))),
            Section::missing(MissingReason::NotConfigured, "x")
        );
    }
}

#[test]
fn customers_get_monthly_reports_unless_they_opt_out() {
    use crate::hub::ReportSettings;
    let none: ReportSettings = serde_json::from_str("{}").unwrap();
    assert!(
        none.enabled,
        "a customer created without report settings has reports on"
    );
    assert!(ReportSettings::default().enabled);
    let off: ReportSettings = serde_json::from_str(r#"{"enabled": false}"#).unwrap();
    assert!(!off.enabled);
}
