//! The jobs entry point: the sample events in `events/jobs/` (what EventBridge rules send) and the
//! sweep job doing its work when invoked by name.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use cc_domain::access::service::Origin;
use cc_domain::access::{NewRequest, Status, Verdict};
use cc_domain::config::Config;
use cc_domain::identity::{Principal, Role};
use cc_domain::store::ItemStore;
use cc_domain::{App, demo};
use serde_json::{Value, json};

/// An embedded app whose clock the test can move forward (seconds in `offset`).
fn app(dir: &tempfile::TempDir, offset: Arc<AtomicI64>) -> App {
    app_with(dir, offset, cc_domain::reports::ReportPorts::unconfigured())
}

/// [`app`] with these report ports.
fn app_with(dir: &tempfile::TempDir, offset: Arc<AtomicI64>, reports: cc_domain::reports::ReportPorts) -> App {
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.data_dir = dir.path().to_path_buf();
    let items: Arc<dyn ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    let app = App::new(config, items, cc_domain::Clock::shifted(offset)).with_access(ports);
    let billing = cc_domain::billing::BillingPorts {
        costs: Arc::new(cc_adapters::local_billing::LocalCostSource::new(app.hub.clone())),
        organizations: Arc::new(cc_adapters::local_billing::LocalOrganizationSource::new(
            app.hub.clone(),
        )),
    };
    let utilisation = cc_domain::utilisation::service::UtilisationPorts {
        contracts: Arc::new(cc_adapters::local_utilisation::LocalContracts::new(
            app.hub.clone(),
            app.clock.clone(),
        )),
        timesheets: Arc::new(cc_adapters::local_utilisation::LocalTimesheets::new(
            app.hub.clone(),
            app.clock.clone(),
        )),
    };
    let objects = Arc::new(cc_adapters::local_objects::LocalObjectStore::new(
        dir.path().join("objects"),
        b"test-secret",
        "http://127.0.0.1:1",
    ));
    app.with_billing(billing)
        .with_utilisation(utilisation)
        .with_objects(objects)
        .with_reports(reports)
        .unwrap()
}

#[tokio::test]
async fn sample_events_run_the_named_job_or_say_which_jobs_exist() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, Arc::default());
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "jobs");
    let expected: &[(&str, Result<(), &str>)] = &[
        ("01-breakglass-sweep", Ok(())),
        ("02-unknown-job", Err("UnknownJob")),
        ("03-scheduled-event-without-input", Err("BadEvent")),
        ("04-billing-fetch", Ok(())),
        ("05-utilisation-sync", Ok(())),
        ("06-reports-monthly", Ok(())),
    ];
    assert_eq!(
        cc_http::testing::event_names(&events),
        expected.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>(),
        "every sample event has an expectation"
    );
    for (name, want) in expected {
        let event: Value =
            serde_json::from_str(&std::fs::read_to_string(events.join(format!("{name}.json"))).unwrap()).unwrap();
        let got = jobs::handle(&app, event).await;
        match (&got, want) {
            (Ok(summary), Ok(())) if *name == "04-billing-fetch" => {
                // No customers yet: a recorded run that fetched nothing.
                assert_eq!(summary["customers"], 0, "{name}: {summary}");
                assert_eq!(summary["requests"], 0, "{name}: {summary}");
                assert!(summary["run"].is_string(), "{name}: {summary}");
            }
            (Ok(summary), Ok(())) if *name == "05-utilisation-sync" => {
                // No customers yet: a recorded run of both sources that wrote nothing.
                assert!(summary["run"].is_string(), "{name}: {summary}");
                assert_eq!(summary["contracts"], "ok", "{name}: {summary}");
                assert_eq!(summary["worklogs"], "ok", "{name}: {summary}");
                assert_eq!(summary["worklogs_written"], 0, "{name}: {summary}");
            }
            (Ok(summary), Ok(())) if *name == "06-reports-monthly" => {
                // No customers yet: nothing built, whichever day it is.
                assert!(summary["month"].is_string(), "{name}: {summary}");
                assert!(
                    summary["waiting"].is_string() || summary["built"] == 0,
                    "{name}: {summary}"
                );
            }
            (Ok(summary), Ok(())) => assert_eq!(
                summary,
                &json!({"timed_out": 0, "granted": 0, "expired": 0, "assignments_removed": 0, "failures": 0}),
                "{name}"
            ),
            (Err(e), Err(kind)) => {
                assert_eq!(e.kind(), *kind, "{name}: {e}");
                let known = jobs::names().collect::<Vec<_>>().join(", ");
                assert!(
                    e.to_string().ends_with(&format!("known jobs: {known}")),
                    "{name}: the error lists the known jobs: {e}"
                );
            }
            _ => panic!("{name}: expected {want:?}, got {got:?}"),
        }
    }
}

/// Who started a run is what each job that records runs records: the schedule for an EventBridge
/// event, the person for `cc jobs run` (the CLI passes `Trigger::manual`), never the schedule for
/// a person's run.
#[tokio::test]
async fn every_job_that_records_runs_records_who_started_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir, Arc::default());
    let admin = Principal {
        email: cc_domain::ids::Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into_iter().collect(),
    };
    let erin = cc_domain::Trigger::manual("erin").unwrap();
    for (job, by) in [(jobs::BILLING_FETCH, &erin), (jobs::UTILISATION_SYNC, &erin)] {
        jobs::run(&app, job, by).await.unwrap();
    }
    jobs::handle(&app, json!({"job": "billing.fetch"})).await.unwrap();
    jobs::handle(&app, json!({"job": "utilisation.sync"})).await.unwrap();
    // Newest first: the schedule's, then erin's.
    let billing: Vec<cc_domain::Trigger> = app
        .billing()
        .unwrap()
        .list_runs(&admin, &cc_domain::page::PageRequest::new(Some(10), None).unwrap())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|r| r.trigger)
        .collect();
    assert_eq!(billing, [cc_domain::Trigger::Schedule, erin.clone()]);
    let sync: Vec<cc_domain::Trigger> = app
        .utilisation()
        .unwrap()
        .runs(&admin, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.trigger)
        .collect();
    assert_eq!(sync, [cc_domain::Trigger::Schedule, erin]);
}

#[tokio::test]
async fn the_sweep_job_ends_a_grant_past_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let offset = Arc::new(AtomicI64::new(0));
    let app = app(&dir, offset.clone());
    seed(&app, 2, 4).await;
    let person = |email: &str, roles: &[Role]| Principal {
        email: cc_domain::ids::Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    };
    let admin = person("ada@example.com", &[Role::Admin]);
    let filter = cc_domain::hub::service::AccountFilter {
        access: Some("role".into()),
        ..Default::default()
    };
    let account = app
        .hub
        .list_accounts(&admin, &filter, Some(1), None)
        .await
        .unwrap()
        .items
        .remove(0);
    // Breakglass is scoped to the customer's team: put the requester and the approver on it.
    let team = app.hub.team(&admin, account.customer.as_str()).await.unwrap();
    let update = cc_domain::hub::TeamUpdate {
        members: ["erin@example.com", "sam@example.com"]
            .map(|e| cc_domain::ids::Email::parse(e).unwrap())
            .to_vec(),
        version: team.version,
    };
    app.hub
        .put_team(&admin, account.customer.as_str(), update)
        .await
        .unwrap();
    let ask = NewRequest {
        account_id: account.id.clone(),
        duration_minutes: 15,
        justification: "Clear the stuck deployment lock in production".into(),
        ticket: None,
        starts_at: None,
        permission_set: None,
    };
    let erin = person("erin@example.com", &[Role::Engineer]);
    let r = app
        .access()
        .unwrap()
        .create(&erin, ask, &Origin::default())
        .await
        .unwrap();
    let senior = person("sam@example.com", &[Role::Senior]);
    let active = app
        .access()
        .unwrap()
        .decide(&senior, &r.id, Verdict::Approve, "", &Origin::default())
        .await
        .unwrap();
    assert_eq!(active.status, Status::Active);

    let summary = jobs::handle(&app, json!({"job": "breakglass.sweep"})).await.unwrap();
    assert_eq!(summary["expired"], 0, "not due yet: {summary}");
    offset.store(16 * 60, Ordering::SeqCst);
    let summary = jobs::run(&app, jobs::BREAKGLASS_SWEEP, &cc_domain::Trigger::Schedule)
        .await
        .unwrap();
    assert_eq!(summary["expired"], 1, "{summary}");
    assert_eq!(app.access().unwrap().find(&r.id).await.unwrap().status, Status::Ended);
}

/// Renders nothing for one customer: its build fails, as a broken renderer or store would.
struct FailsFor(&'static str);

impl cc_domain::reports::ports::Renderer for FailsFor {
    fn format(&self) -> &'static str {
        "txt"
    }
    fn content_type(&self) -> &'static str {
        "text/plain"
    }
    fn render(&self, s: &cc_domain::reports::Snapshot, _: &cc_domain::reports::BuildInfo) -> anyhow::Result<Vec<u8>> {
        if s.customer.code.as_str() == self.0 {
            anyhow::bail!("the renderer broke on {}", self.0)
        }
        Ok(s.customer.name.clone().into_bytes())
    }
}

#[tokio::test]
async fn the_monthly_job_builds_each_active_customer_once_and_records_a_failure_without_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let offset = Arc::new(AtomicI64::new(0));
    let mut ports = cc_domain::reports::ReportPorts::unconfigured();
    ports.renderers.push(Arc::new(FailsFor("cobalt-health")));
    let app = app_with(&dir, offset.clone(), ports);
    // Six customers: the sixth is onboarding (the demo's rule); borealis-energy turns reports off.
    seed(&app, 6, 12).await;
    let admin = Principal {
        email: cc_domain::ids::Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into(),
    };
    let patch = cc_domain::hub::CustomerPatch {
        report: Some(cc_domain::hub::ReportSettings {
            enabled: false,
            recipients: vec![],
        }),
        ..Default::default()
    };
    app.hub.update_customer(&admin, "borealis-energy", patch).await.unwrap();

    // A breakglass session this month, ended by the sweeper at its end.
    // (A role account of a customer erin and sam work on, whose report builds.)
    let filter = cc_domain::hub::service::AccountFilter {
        access: Some("role".into()),
        ..Default::default()
    };
    let account = app
        .hub
        .list_accounts(&admin, &filter, Some(200), None)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| ["acme-retail", "evergreen-logistics"].contains(&a.customer.as_str()))
        .expect("a role account of acme-retail or evergreen-logistics");
    let code = account.customer.clone();
    let person = |email: &str, roles: &[Role]| Principal {
        email: cc_domain::ids::Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    };
    let erin = person("erin.engineer@demo.customer-central.dev", &[Role::Engineer]);
    let ask = NewRequest {
        account_id: account.id.clone(),
        duration_minutes: 15,
        justification: "Restart the stuck payment workers in production".into(),
        ticket: Some("OPS-42".into()),
        starts_at: None,
        permission_set: None,
    };
    let access = app.access().unwrap();
    let r = access.create(&erin, ask, &Origin::default()).await.unwrap();
    let sam = person("sam.senior@demo.customer-central.dev", &[Role::Engineer, Role::Senior]);
    access
        .decide(&sam, &r.id, Verdict::Approve, "ok", &Origin::default())
        .await
        .unwrap();
    offset.store(16 * 60, Ordering::SeqCst);
    jobs::run(&app, jobs::BREAKGLASS_SWEEP, &cc_domain::Trigger::Schedule)
        .await
        .unwrap();
    let granted_month = cc_domain::reports::ReportMonth::of(
        app.access()
            .unwrap()
            .find(&r.id)
            .await
            .unwrap()
            .granted_at
            .unwrap()
            .date(),
    );

    // On the 3rd of the next month (CC_REPORTS_DAY's default), the month just closed is built.
    let now = app.clock.now();
    let target = granted_month.end().with_hms(12, 0, 0).unwrap().assume_utc() + time::Duration::days(2);
    offset.fetch_add((target - now).whole_seconds(), Ordering::SeqCst);
    let summary = jobs::run(&app, jobs::REPORTS_MONTHLY, &cc_domain::Trigger::Schedule)
        .await
        .unwrap();
    assert_eq!(summary["month"], granted_month.to_string(), "{summary}");
    assert_eq!(summary["trigger"], json!({"kind": "schedule"}), "{summary}");
    assert_eq!(
        (
            summary["built"].clone(),
            summary["failed"].clone(),
            summary["skipped"].clone()
        ),
        (json!(3), json!(1), json!(2)),
        "{summary}"
    );
    assert!(summary["run"].is_string(), "recorded: {summary}");
    let by: std::collections::BTreeMap<String, Value> = summary["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["customer"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    assert_eq!(by["cobalt-health"]["status"], "failed");
    assert!(
        by["cobalt-health"]["reason"]
            .as_str()
            .unwrap()
            .contains("the renderer broke on cobalt-health"),
        "{summary}"
    );
    assert_eq!(
        by["borealis-energy"]["reason"],
        "monthly reports are turned off in its report settings"
    );
    let onboarding: Vec<&String> = by
        .iter()
        .filter(|(_, c)| c["reason"].as_str().is_some_and(|r| r.contains("onboarding")))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(onboarding.len(), 1, "{summary}");
    assert_eq!(by["acme-retail"]["status"], "built");
    assert_eq!(by[code.as_str()]["status"], "built");

    // The report holds the session: who, where, how long, why.
    let reports = app.reports().unwrap();
    let v = reports.version(&admin, &code, granted_month, 1).await.unwrap();
    assert_eq!(v.trigger, cc_domain::reports::Trigger::Schedule);
    let formats: Vec<&str> = v.outputs.iter().map(|o| o.format.as_str()).collect();
    assert_eq!(formats, ["json", "html", "txt"]);
    let snap: Value = serde_json::from_slice(&reports.content(v.output("json").unwrap()).await.unwrap()).unwrap();
    let b = &snap["breakglass"]["data"];
    assert_eq!(b["sessions"].as_array().unwrap().len(), 1, "{b}");
    let s0 = &b["sessions"][0];
    assert_eq!(
        (s0["requester"].clone(), s0["account"].clone(), s0["ticket"].clone()),
        (json!(erin.email.as_str()), json!(account.id.as_str()), json!("OPS-42"))
    );
    assert_eq!(s0["approvers"], json!([sam.email.as_str()]));
    assert_eq!(s0["end_reason"], "expired");
    let minutes = s0["minutes"].as_u64().unwrap();
    assert!((15..=17).contains(&minutes), "{minutes}");
    assert_eq!(b["by_person"][0]["key"], erin.email.as_str());
    let page = String::from_utf8(reports.content(v.output("html").unwrap()).await.unwrap().to_vec()).unwrap();
    assert!(page.contains("Restart the stuck payment workers in production"));

    // The next day: everyone built is skipped, the failed one is tried again (and fails again).
    offset.fetch_add(86_400, Ordering::SeqCst);
    let again = jobs::run(&app, jobs::REPORTS_MONTHLY, &cc_domain::Trigger::Schedule)
        .await
        .unwrap();
    assert_eq!(
        (
            again["built"].clone(),
            again["failed"].clone(),
            again["skipped"].clone()
        ),
        (json!(0), json!(1), json!(5)),
        "{again}"
    );
    let acme_again = again["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["customer"] == "acme-retail")
        .unwrap()
        .clone();
    assert!(
        acme_again["reason"]
            .as_str()
            .unwrap()
            .contains("already built (version 1)"),
        "{acme_again}"
    );
    assert_eq!(reports.versions(&admin, &code, granted_month).await.unwrap().len(), 1);

    // Before the day, the job waits.
    let first = granted_month
        .next()
        .unwrap()
        .end()
        .with_hms(8, 0, 0)
        .unwrap()
        .assume_utc();
    offset.fetch_add((first - app.clock.now()).whole_seconds(), Ordering::SeqCst);
    let waiting = jobs::run(&app, jobs::REPORTS_MONTHLY, &cc_domain::Trigger::Schedule)
        .await
        .unwrap();
    assert!(
        waiting["waiting"].as_str().unwrap().contains("CC_REPORTS_DAY"),
        "{waiting}"
    );
}

/// `cc jobs run reports.monthly` by hand: the versions it builds are the schedule's (the builder
/// is shown in the customer's report, and a manual run's label is an operator's, often `root`),
/// while the run record keeps who ran it.
#[tokio::test]
async fn a_monthly_run_by_hand_builds_the_schedule_s_versions_and_records_who_ran_it() {
    let dir = tempfile::tempdir().unwrap();
    let offset = Arc::new(AtomicI64::new(0));
    let app = app(&dir, offset.clone());
    seed(&app, 2, 4).await;
    // The 5th of the next month, after CC_REPORTS_DAY.
    let now = app.clock.now();
    let month = cc_domain::reports::ReportMonth::of(now.date());
    let target = month.end().with_hms(12, 0, 0).unwrap().assume_utc() + time::Duration::days(4);
    offset.fetch_add((target - now).whole_seconds(), Ordering::SeqCst);
    let root = cc_domain::Trigger::manual("root").unwrap();
    let summary = jobs::run(&app, jobs::REPORTS_MONTHLY, &root).await.unwrap();
    assert_eq!(summary["trigger"], serde_json::to_value(&root).unwrap(), "{summary}");
    assert!(summary["built"].as_u64().unwrap() >= 1, "{summary}");
    let admin = Principal {
        email: cc_domain::ids::Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into(),
    };
    let code = cc_domain::ids::CustomerCode::parse("acme-retail").unwrap();
    let reports = app.reports().unwrap();
    let v = reports.version(&admin, &code, month, 1).await.unwrap();
    assert_eq!(v.trigger, cc_domain::reports::Trigger::Schedule);
    let page = String::from_utf8(reports.content(v.output("html").unwrap()).await.unwrap().to_vec()).unwrap();
    let footer = page
        .find("built ")
        .map(|i| &page[i..(i + 120).min(page.len())])
        .unwrap_or_default();
    assert!(
        !page.contains("by root"),
        "the operator's label is not in the customer's report: {footer}"
    );
    let runs = reports
        .runs(&admin, &cc_domain::page::PageRequest::new(Some(10), None).unwrap())
        .await
        .unwrap();
    assert_eq!(runs.items[0].trigger, root);
}

/// The demo hub: `customers` customers with `accounts` accounts between them.
async fn seed(app: &App, customers: usize, accounts: usize) {
    demo::seed(app, &demo::DemoSize { customers, accounts }).await.unwrap();
}

/// The Lambda's path: only the item store at start-up, each capability's app made by the first
/// job that needs it and kept; every sample event answers as through a fully wired app.
#[tokio::test]
async fn the_lambda_makes_each_capabilitys_app_on_its_first_job() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.data_dir = dir.path().to_path_buf();
    let lambda = jobs::Lambda::new(config).await.unwrap();
    let events = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "jobs");
    for name in cc_http::testing::event_names(&events) {
        let event: Value =
            serde_json::from_str(&std::fs::read_to_string(events.join(format!("{name}.json"))).unwrap()).unwrap();
        // Twice: the second run reuses the app the first made.
        for _ in 0..2 {
            match (lambda.handle(event.clone()).await, name.as_str()) {
                (Err(e), "02-unknown-job") => assert_eq!(e.kind(), "UnknownJob"),
                (Err(e), "03-scheduled-event-without-input") => assert_eq!(e.kind(), "BadEvent"),
                (Ok(summary), _) => assert!(summary.is_object(), "{name}: {summary}"),
                (Err(e), _) => panic!("{name}: {e}"),
            }
        }
    }
}
