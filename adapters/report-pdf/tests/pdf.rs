//! The PDF of a fixed report, read back by poppler's `pdftotext` (`CC_TEST_PDFTOTEXT`, which
//! scripts/test sets; without it these tests skip, under `CC_REQUIRE_MOTO=1` they fail): a valid
//! PDF of the expected pages, showing every section and the figures the snapshot holds, markup in
//! the summary coming out as the text it is, and the same bytes for the same input.
//!
//! The snapshot (`acme-retail-2026-10.json`) is Acme Retail's October 2026 report from the demo
//! (`cc serve --demo`, version 2 with the lead's summary: costs, a contract, the three sections
//! with no source wired, "not connected"), with two cost anomalies (one acknowledged and resolved,
//! one open on an account without a name) and two breakglass sessions (one ended early, one with a
//! long permission set name) added by hand, as the demo's month has none.

use std::io::Write as _;
use std::process::Command;

use cc_domain::reports::html::{money, number};
use cc_domain::reports::snapshot::{MissingReason, Section, Summary};
use cc_domain::reports::{BuildInfo, Snapshot, Trigger};
use time::macros::datetime;

fn snapshot() -> Snapshot {
    serde_json::from_str(include_str!("acme-retail-2026-10.json")).expect("the fixture is a snapshot")
}

fn build() -> BuildInfo {
    BuildInfo {
        version: 2,
        built_at: datetime!(2026-11-02 08:15:00 UTC),
        trigger: Trigger::Person {
            email: "lee.lead@demo.customer-central.dev".into(),
        },
        reason: "summary written".into(),
    }
}

/// The PDF's text (`pdftotext`, in reading order: a table cell's lines together) and its page count (form feeds), or `None` when the tool
/// is not configured (see the module).
fn text_of(pdf: &[u8]) -> Option<(String, usize)> {
    let tool = cc_domain::test_env::pdftotext()?;
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(pdf).unwrap();
    let out = Command::new(tool)
        .args(["-enc", "UTF-8"])
        .arg(file.path())
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let pages = text.matches('\u{c}').count();
    Some((text, pages))
}

/// Runs of whitespace as one space, so a phrase matches wherever the layout wrapped it.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every word of `phrase` in `text`, in order (a table cell's text may be split by what pdftotext
/// reads between its lines, such as the footer before a row's end).
fn in_order(text: &str, phrase: &str) -> bool {
    let mut rest = text;
    phrase.split_whitespace().all(|w| match rest.find(w) {
        Some(i) => {
            rest = &rest[i + w.len()..];
            true
        }
        None => false,
    })
}

#[test]
fn the_demo_report_is_a_valid_pdf_with_every_section_and_figure() {
    let s = snapshot();
    let pdf = cc_report_pdf::render(&s, &build()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"), "no PDF trailer");
    let Some((text, pages)) = text_of(&pdf) else { return };
    let flat = squash(&text);
    assert!((3..=6).contains(&pages), "{pages} pages:\n{text}");
    // Header and footer: customer and month, page numbers on every page.
    assert!(flat.contains(&format!("Page 1 of {pages}")), "{flat}");
    assert!(flat.contains(&format!("Page {pages} of {pages}")), "{flat}");
    assert!(text.matches("Acme Retail · October 2026").count() >= pages, "{text}");
    // Every section's heading, and the missing ones with their reason in the HTML's words.
    for (_, title) in cc_domain::reports::html::SECTIONS {
        assert!(flat.contains(title), "no {title}:\n{flat}");
    }
    fn reason<T>(s: &Section<T>) -> Option<MissingReason> {
        match s {
            Section::Missing { reason, .. } => Some(*reason),
            Section::Ready { .. } => None,
        }
    }
    for (reason, message) in [
        (reason(&s.compliance), "Security Hub"),
        (reason(&s.renewals), "Savings Plans"),
        (reason(&s.optimisation), "rightsizing"),
    ] {
        let label = match reason {
            Some(MissingReason::NoData) => "No data yet.",
            Some(MissingReason::NotConfigured) => "Not connected yet.",
            Some(MissingReason::Unavailable) => "Could not be read.",
            None => panic!("the fixture's {message} section has data"),
        };
        assert!(flat.contains(label), "{label}:\n{flat}");
        assert!(flat.contains(message), "{message}:\n{flat}");
    }
    // Billing: totals, every account, the top services and the anomaly's impact.
    let b = s.billing.data().expect("billing data");
    for c in &b.currencies {
        assert!(flat.contains(&money(c.total, &c.currency)), "total:\n{flat}");
        for a in &c.by_account {
            assert!(flat.contains(&a.account), "{}:\n{flat}", a.account);
            assert!(flat.contains(&money(a.amount, &c.currency)), "{}:\n{flat}", a.amount);
        }
        for sv in &c.top_services {
            assert!(in_order(&flat, &sv.service), "{}:\n{flat}", sv.service);
        }
    }
    assert!(!b.anomalies.is_empty(), "the fixture has an anomaly");
    for a in &b.anomalies {
        assert!(flat.contains(&money(a.impact, &a.currency)), "impact:\n{flat}");
    }
    // Hours: each contract and its figures.
    let u = s.utilisation.data().expect("utilisation data");
    for c in &u.contracts {
        assert!(flat.contains(&c.id), "{}:\n{flat}", c.id);
        assert!(
            flat.contains(&cc_domain::reports::html::hours_text(c.used_hours)),
            "{}:\n{flat}",
            c.used_hours
        );
    }
    // Breakglass: each session's requester and justification.
    let g = s.breakglass.data().expect("breakglass data");
    assert!(!g.sessions.is_empty(), "the fixture has sessions");
    for x in &g.sessions {
        assert!(flat.contains(&x.requester), "{}:\n{flat}", x.requester);
        assert!(in_order(&flat, &x.justification), "{}:\n{flat}", x.justification);
    }
    // The summary's markdown, rendered (no markdown syntax left) and the build's metadata.
    assert!(flat.contains("What we did this month"), "{flat}");
    assert!(!flat.contains("## What"), "{flat}");
    assert!(flat.contains("Next month: rightsizing"), "{flat}");
    assert!(
        flat.contains("Version 2 · built 2026-11-02 08:15 UTC by lee.lead@demo.customer-central.dev (summary written)"),
        "{flat}"
    );
    assert!(flat.contains(&number(1.0, 0)), "numbers");
}

#[test]
fn markup_in_the_data_comes_out_as_text() {
    let mut s = snapshot();
    let summary = "Literal: #import \"@preview/x:0.1.0\": * and $x^2$ and *not bold in code* `#panic()` \
                   and <script>alert(1)</script> and ]) #{ } \\\n\n\
                   #set page(width: 1cm)\n\n\
                   - item with *emphasis* and **strong**\n\
                   - [a link](https://example.com/?a=1&b=2) and [bad](javascript:alert(2))\n\n\
                   ```\n#let x = $y$\n```\n";
    s.summary = Section::ready(Summary {
        markdown: summary.into(),
    });
    s.customer.name = "Acme #strong[Evil] $pi$ <b>Co</b> ] \" \\".into();
    let pdf = cc_report_pdf::render(&s, &build()).unwrap();
    let Some((text, _)) = text_of(&pdf) else { return };
    let flat = squash(&text);
    for literal in [
        "#import \"@preview/x:0.1.0\": *",
        "$x^2$",
        "#panic()",
        "]) #{ }",
        "#set page(width: 1cm)",
        "#let x = $y$",
        "Acme #strong[Evil] $pi$ <b>Co</b> ] \" \\",
    ] {
        assert!(flat.contains(literal), "{literal:?} is not shown literally:\n{flat}");
    }
    // Raw HTML in the summary goes, as in the page (the customer's name is data, shown as it is).
    assert!(!flat.contains("alert(1)") && !flat.contains("<script>"), "{flat}");
    // Markdown still renders: the emphasis markers are gone, the link text stays.
    assert!(flat.contains("item with emphasis and strong"), "{flat}");
    assert!(flat.contains("a link and bad"), "{flat}");
    // Only the web link is a link in the PDF.
    let raw = String::from_utf8_lossy(&pdf);
    assert!(!raw.contains("javascript:"), "a javascript: link was written");
}

#[test]
fn the_same_snapshot_and_build_give_the_same_bytes() {
    let s = snapshot();
    let a = cc_report_pdf::render(&s, &build()).unwrap();
    let b = cc_report_pdf::render(&s, &build()).unwrap();
    assert!(a == b, "two renders differ");
    // The snapshot read back from its stored JSON gives the same bytes: the report-pdf function
    // renders from the JSON after the build, and its PDF must be the one a build in process writes.
    let stored: cc_domain::reports::Snapshot = serde_json::from_slice(&serde_json::to_vec_pretty(&s).unwrap()).unwrap();
    assert_eq!(stored, s, "the snapshot survives its JSON");
    assert!(
        cc_report_pdf::render(&stored, &build()).unwrap() == a,
        "the stored snapshot renders differently"
    );
    // And the build's metadata is what differs between versions, not the clock.
    let mut later = build();
    later.version = 3;
    later.built_at = datetime!(2026-11-03 10:00:00 UTC);
    assert!(cc_report_pdf::render(&s, &later).unwrap() != a);
}

#[test]
fn missing_sections_say_why_and_an_empty_report_still_renders() {
    let mut s = snapshot();
    s.summary = Section::missing(MissingReason::NoData, "No summary was written for this month.");
    s.billing = Section::missing(MissingReason::Unavailable, "Cost Explorer throttled the request.");
    s.utilisation = Section::missing(MissingReason::NoData, "No contract covers October 2026.");
    s.breakglass = Section::missing(MissingReason::Unavailable, "The request store did not answer.");
    let pdf = cc_report_pdf::render(&s, &build()).unwrap();
    let Some((text, pages)) = text_of(&pdf) else { return };
    let flat = squash(&text);
    assert_eq!(pages, 1, "{text}");
    for words in [
        "No data yet. No summary was written for this month.",
        "Could not be read. Cost Explorer throttled the request.",
        "No data yet. No contract covers October 2026.",
        "Could not be read. The request store did not answer.",
    ] {
        assert!(flat.contains(words), "{words}:\n{flat}");
    }
}
