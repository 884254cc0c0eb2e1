//! Utilisation on the embedded store, end to end through the service: the demo seed shows each
//! case, a local sync over it changes nothing, task code mappings are validated and versioned with
//! history, CSV imports are idempotent and refuse bad rows whole, unmapped hours are reported,
//! entitlement changes are kept, and the role rules hold. On moto (DynamoDB), the same store
//! operations (GSI queries by month and task code prefix, conditional contract writes).

use crate::support;

use cc_domain::Error;
use cc_domain::demo::{self, DemoSize};
use cc_domain::error::Conflict;
use cc_domain::ids::{ContractId, CustomerCode, TaskCode};
use cc_domain::utilisation::mapping::TaskCodeMapping;
use cc_domain::utilisation::store;
use cc_domain::utilisation::usage::UsageStatus;
use time::Duration;

fn code(s: &str) -> CustomerCode {
    CustomerCode::parse(s).unwrap()
}

async fn seeded() -> (cc_domain::App, tempfile::TempDir, Vec<CustomerCode>) {
    let (app, dir) = support::embedded().await;
    demo::seed(&app, &DemoSize::default()).await.unwrap();
    let codes: Vec<CustomerCode> = demo::customer_codes(&DemoSize::default())
        .iter()
        .map(|c| code(c))
        .collect();
    cc_domain::utilisation::demo::seed(app.items.as_ref(), &codes, app.clock.now())
        .await
        .unwrap();
    (app, dir, codes)
}

#[tokio::test]
async fn utilisation_demo_shows_each_case_through_the_service_and_a_local_sync_changes_nothing() {
    let (app, _dir, codes) = seeded().await;
    let u = app.utilisation().unwrap();
    let erin = support::erin();
    let status = |r: &cc_domain::utilisation::service::CustomerUtilisation| r.contracts[0].usage.status;

    let first = u.customer(&erin, &codes[0]).await.unwrap();
    assert_eq!(first.contracts.len(), 1);
    assert_eq!(status(&first), UsageStatus::OnTrack, "{first:#?}");
    assert!(first.contracts[0].usage.used_hours > 0.0);
    assert_eq!(first.contracts[0].task_codes.len(), 1);
    let second = u.customer(&erin, &codes[1]).await.unwrap();
    assert_eq!(status(&second), UsageStatus::RunningOutEarly);
    let third = u.customer(&erin, &codes[2]).await.unwrap();
    assert!(third.contracts[0].usage.consistently_exceeded);

    // The 4th: its entitlement change is in the history.
    let c = &u.customer(&erin, &codes[3]).await.unwrap().contracts[0];
    let detail = u.contract(&erin, &codes[3], &c.contract.contract.id).await.unwrap();
    let raised: Vec<_> = detail
        .changes
        .iter()
        .filter(|ch| ch.from.is_some())
        .map(|ch| (ch.from.clone().unwrap(), ch.to.clone().unwrap()))
        .collect();
    assert!(raised.contains(&("120".into(), "200".into())), "{:#?}", detail.changes);

    // Unmapped hours: the 5th customer's team logs OPS- codes mapped to nobody.
    let today = app.clock.now().date();
    let loose = u.unmapped(&erin, today - Duration::days(60), today).await.unwrap();
    assert!(
        !loose.is_empty() && loose.iter().all(|l| l.task_code.as_str().starts_with("OPS-")),
        "{loose:#?}"
    );

    // A local sync (the demo generators as sources) rewrites the same data: nothing changes.
    let before = u.customer(&erin, &codes[1]).await.unwrap();
    let run = u.sync_as(&support::admin()).await.unwrap();
    assert_eq!(run.contracts.status, "ok");
    assert_eq!(run.worklogs.status, "ok", "{run:#?}");
    assert_eq!(
        run.contracts_written.created + run.contracts_written.updated,
        0,
        "{run:#?}"
    );
    assert!(run.worklogs_written > 0);
    assert_eq!(u.customer(&erin, &codes[1]).await.unwrap(), before);
    assert_eq!(u.runs(&erin, 10).await.unwrap()[0].id, run.id);
    // The next sync starts where this one ended.
    let again = u.sync(cc_domain::Trigger::Schedule).await.unwrap();
    assert_eq!(Some(again.worklogs_since), run.worklogs_until);
}

#[tokio::test]
async fn utilisation_task_codes_are_validated_versioned_and_kept_with_history() {
    let (app, _dir, codes) = seeded().await;
    let u = app.utilisation().unwrap();
    let admin = support::admin();
    let kept = u.task_codes(&admin).await.unwrap();
    assert!(kept.version >= 1);
    let contract = store::contracts(app.items.as_ref(), &codes[0]).await.unwrap()[0]
        .contract
        .id
        .clone();

    let mut next = kept.mappings.clone();
    next.push(TaskCodeMapping {
        code: TaskCode::parse("OPS-").unwrap(),
        prefix: true,
        customer: codes[4].clone(),
        contract: None,
    });
    // Unknown customer, a contract of another customer, and a duplicate: one 400 naming each row.
    let mut bad = next.clone();
    bad.push(TaskCodeMapping {
        code: TaskCode::parse("X-1").unwrap(),
        prefix: false,
        customer: code("nobody-here"),
        contract: None,
    });
    bad.push(TaskCodeMapping {
        code: TaskCode::parse("X-2").unwrap(),
        prefix: false,
        customer: codes[1].clone(),
        contract: Some(contract.clone()),
    });
    bad.push(next.last().unwrap().clone());
    match u.put_task_codes(&admin, bad, kept.version).await {
        Err(Error::Rows { errors, .. }) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field.clone().unwrap()).collect();
            assert_eq!(fields, ["customer", "contract", "code"], "{errors:#?}");
        }
        other => panic!("{other:?}"),
    }
    // Engineers may not change them.
    assert!(matches!(
        u.put_task_codes(&support::erin(), next.clone(), kept.version).await,
        Err(Error::Forbidden(_))
    ));
    let saved = u.put_task_codes(&admin, next.clone(), kept.version).await.unwrap();
    assert_eq!(saved.version, kept.version + 1);
    // A stale version is a conflict; the same list again writes nothing.
    let stale = u.put_task_codes(&admin, next.clone(), kept.version).await.unwrap_err();
    assert_eq!(stale.conflict_kind(), Some(Conflict::Version));
    assert_eq!(
        u.put_task_codes(&admin, next, saved.version).await.unwrap().version,
        saved.version
    );
    let history = u.task_code_history(&admin, 10).await.unwrap();
    assert_eq!(history[0].added.len(), 1);
    assert_eq!(history[0].by, "ada@example.com");
    // The OPS- hours now count for the 5th customer (outside any contract): no longer unmapped.
    let today = app.clock.now().date();
    assert!(
        u.unmapped(&admin, today - Duration::days(60), today)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn utilisation_csv_imports_are_idempotent_and_refuse_bad_files_whole() {
    let (app, _dir) = support::embedded().await;
    demo::seed(&app, &DemoSize::default()).await.unwrap();
    let u = app.utilisation().unwrap();
    let admin = support::admin();
    let customer = demo::customer_codes(&DemoSize::default())[0].clone();
    let contracts = format!(
        "contract,customer,start,end,entitled_hours,monthly_allocation\nC-1,{customer},2026-01-01,2026-12-31,100,10\n"
    );
    let out = u.import_contracts(&admin, contracts.as_bytes()).await.unwrap();
    assert_eq!(out.contracts.unwrap().created, 1);
    let out = u.import_contracts(&admin, contracts.as_bytes()).await.unwrap();
    assert_eq!(out.contracts.unwrap().unchanged, 1);
    // An unknown customer: the whole file is refused, row named.
    let bad = format!("{contracts}C-2,nobody-here,2026-01-01,2026-12-31,5,\n");
    match u.import_contracts(&admin, bad.as_bytes()).await {
        Err(Error::Rows { errors, .. }) => {
            assert_eq!((errors[0].row, errors[0].field.as_deref()), (2, Some("customer")))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store::contracts(app.items.as_ref(), &code(&customer))
            .await
            .unwrap()
            .len(),
        1
    );

    let logs = "date,person,task_code,hours\n2026-03-02,erin@example.com,C1-1,2\n2026-03-03,erin@example.com,C1-1,2\n";
    assert_eq!(
        u.import_worklogs(&admin, logs.as_bytes()).await.unwrap().worklogs,
        Some(2)
    );
    assert_eq!(
        u.import_worklogs(&admin, logs.as_bytes()).await.unwrap().worklogs,
        Some(2)
    );
    let march = store::worklogs_in_month(app.items.as_ref(), time::macros::date!(2026 - 03 - 01), Some("C1-"))
        .await
        .unwrap();
    assert_eq!(march.len(), 2, "a re-import replaces, never doubles");
    assert!(matches!(
        u.import_worklogs(&support::erin(), logs.as_bytes()).await,
        Err(Error::Forbidden(_))
    ));
    // Mapped to the contract, the hours count for it.
    let tc = u.task_codes(&admin).await.unwrap();
    let mut m = tc.mappings;
    m.push(TaskCodeMapping {
        code: TaskCode::parse("C1-").unwrap(),
        prefix: true,
        customer: code(&customer),
        contract: Some(ContractId::parse("C-1").unwrap()),
    });
    u.put_task_codes(&admin, m, tc.version).await.unwrap();
    let report = u
        .contract(&admin, &code(&customer), &ContractId::parse("C-1").unwrap())
        .await
        .unwrap();
    assert_eq!(report.report.usage.used_hours, 4.0);
    // Unknown customer or contract: 404.
    assert!(matches!(
        u.contract(&admin, &code(&customer), &ContractId::parse("C-404").unwrap())
            .await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        u.customer(&admin, &code("nobody-here")).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn utilisation_store_on_dynamodb() {
    let Some(url) = cc_domain::test_env::required("CC_TEST_MOTO_URL") else {
        return;
    };
    let app = support::on_moto(&url).await;
    let items = app.items.as_ref();
    let codes = vec![code("acme-retail")];
    let now = app.clock.now();
    let all = cc_domain::utilisation::demo::contracts(&codes, now.date());
    let contracts: Vec<_> = all.iter().map(|(c, _)| c.clone()).collect();
    let w = store::upsert_contracts(items, &contracts, "test", now).await.unwrap();
    assert_eq!(w.created, 1);
    let again = store::upsert_contracts(items, &contracts, "test", now).await.unwrap();
    assert_eq!(again.unchanged, 1);
    let mut raised = contracts[0].clone();
    raised.entitled_hours += 40.0;
    let w = store::upsert_contracts(items, &[raised.clone()], "test", now + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!((w.updated, w.changes), (1, 1));
    let changes = store::entitlement_changes(items, &codes[0], &raised.id).await.unwrap();
    assert_eq!(changes.len(), 6, "{changes:#?}");
    assert_eq!(store::all_contracts(items).await.unwrap().len(), 1);

    // A file without the optional columns keeps the kept ones as read at its own write: a name
    // changed meanwhile by another writer is kept, not put back from an earlier read.
    let bare = cc_domain::utilisation::Contract {
        name: String::new(),
        monthly_allocation: None,
        status: String::new(),
        ..raised.clone()
    };
    let mut renamed = raised.clone();
    renamed.name = "Renamed upstream".into();
    store::upsert_contracts(items, &[renamed], "test", now + Duration::seconds(2))
        .await
        .unwrap();
    let columns = cc_domain::utilisation::import::ContractColumns::default();
    let w = store::upsert_contracts_with(items, &[bare], columns, "csv", now + Duration::seconds(3))
        .await
        .unwrap();
    assert_eq!(w.unchanged, 1, "nothing but the optional columns differed: {w:?}");
    let kept = store::contract(items, &codes[0], &raised.id).await.unwrap().unwrap();
    assert_eq!(kept.contract.name, "Renamed upstream");
    assert_eq!(kept.contract.monthly_allocation, raised.monthly_allocation);

    let logs = cc_domain::utilisation::demo::worklogs(&all, now.date() - Duration::days(60), now.date());
    assert!(logs.len() > 10);
    store::put_worklogs(items, &logs).await.unwrap();
    let month = logs[0].day;
    let in_month: Vec<_> = logs
        .iter()
        .filter(|l| (l.day.year(), l.day.month()) == (month.year(), month.month()))
        .collect();
    let key = cc_domain::utilisation::demo::project_key(&codes[0]);
    let read = store::worklogs_in_month(items, month, Some(&format!("{key}-")))
        .await
        .unwrap();
    assert_eq!(read.len(), in_month.len());
    let gone: Vec<String> = read.iter().take(2).map(|l| l.id.clone()).collect();
    store::delete_worklogs(items, &gone).await.unwrap();
    assert_eq!(
        store::worklogs_in_month(items, month, Some(&format!("{key}-")))
            .await
            .unwrap()
            .len(),
        in_month.len() - 2
    );
}

#[tokio::test]
async fn utilisation_configured_sources_replace_the_demo_ones_and_bad_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    // Salesforce configured (at a port nothing listens on): the sync uses it, and says it failed.
    let sf =
        r#"{"login_url":"http://127.0.0.1:9","client_id":"id","client_secret":"s3cr3t","retry":{"max_retries":0}}"#;
    let config = cc_domain::config::Config::from_lookup(|k| match k {
        "CC_DATA_DIR" => Some(d.clone()),
        "CC_SALESFORCE" => Some(sf.to_string()),
        _ => None,
    })
    .unwrap();
    let app = cc_adapters::wire::local_server(config).await.unwrap();
    let run = app
        .utilisation()
        .unwrap()
        .sync(cc_domain::Trigger::Schedule)
        .await
        .unwrap();
    assert_eq!(run.contracts.status, "failed", "{run:#?}");
    let why = run.contracts.error.unwrap();
    assert!(!why.contains("s3cr3t"), "{why}");
    // JIRA was not configured: on the embedded default, the demo's worklogs.
    assert_eq!(run.worklogs.status, "ok");

    // Settings that are neither JSON nor a secret ARN: refused by name; JSON that is not the
    // settings: refused when wiring, naming the field, never quoting a value.
    let bad = cc_domain::config::Config::from_lookup(|k| (k == "CC_JIRA").then(|| "https://x".to_string()));
    assert_eq!(bad.unwrap_err().name, "CC_JIRA");
    let config = cc_domain::config::Config::from_lookup(|k| match k {
        "CC_DATA_DIR" => Some(d.clone()),
        "CC_JIRA" => Some(
            r#"{"base_url":"https://acme.atlassian.net","auth":{"kind":"basic","email":"a@b.c","api_token":12345}}"#
                .into(),
        ),
        _ => None,
    })
    .unwrap();
    let err = cc_adapters::wire::local_server(config).await.err().unwrap().to_string();
    assert!(err.starts_with("CC_JIRA: not valid JIRA settings"), "{err}");
    assert!(!err.contains("12345"), "{err}");
}

#[tokio::test]
async fn deleting_a_customer_deletes_its_billing_and_utilisation_data_so_a_new_one_with_its_code_starts_empty() {
    use cc_domain::billing::costs::{self, DailyCost};
    use cc_domain::hub::NewCustomer;
    use cc_domain::ids::AccountId;
    use cc_domain::keys;
    use cc_domain::store::{Index, Item, Query, Write};

    let (app, _dir) = support::embedded().await;
    let admin = support::admin();
    let new = || NewCustomer {
        code: code("gone-soon"),
        name: "Gone Soon".into(),
        status: cc_domain::hub::CustomerStatus::Active,
        notes: String::new(),
        contract: None,
        report: Default::default(),
    };
    app.hub.create_customer(&admin, new()).await.unwrap();
    let items = app.items.as_ref();
    let c = code("gone-soon");
    // Costs in an old month (an import of 2024 data) and this month; settings; organisation facts.
    let today = app.clock.now().date();
    let cell = |day| DailyCost {
        account: AccountId::parse("111111111111").unwrap(),
        service: "Amazon EC2".into(),
        day,
        amount: 10.0,
        currency: "USD".into(),
        estimated: false,
        source: cc_domain::billing::costs::CellSource::Import,
    };
    costs::upsert(items, &c, &[cell(time::macros::date!(2024 - 09 - 01)), cell(today)])
        .await
        .unwrap();
    items
        .transact(vec![
            Write::Put(Item::new(
                keys::billing("gone-soon"),
                keys::BILLING_SETTINGS,
                serde_json::json!({"metric": "AmortizedCost"}),
            )),
            Write::Put(Item::new(
                keys::organization("gone-soon"),
                keys::META,
                serde_json::json!({}),
            )),
        ])
        .await
        .unwrap();
    // A contract and a mapping to it.
    let u = app.utilisation().unwrap();
    u.import_contracts(
        &admin,
        b"contract,customer,start,end,entitled_hours\nG-1,gone-soon,2026-01-01,2026-12-31,10\n",
    )
    .await
    .unwrap();
    let tc = u.task_codes(&admin).await.unwrap();
    u.put_task_codes(
        &admin,
        vec![TaskCodeMapping {
            code: TaskCode::parse("GONE-").unwrap(),
            prefix: true,
            customer: c.clone(),
            contract: Some(ContractId::parse("G-1").unwrap()),
        }],
        tc.version,
    )
    .await
    .unwrap();

    app.hub.delete_customer(&admin, "gone-soon", None).await.unwrap();
    app.hub.create_customer(&admin, new()).await.unwrap();

    for pk in [
        keys::cost("gone-soon", time::macros::date!(2024 - 09 - 01)),
        keys::cost("gone-soon", today),
        keys::billing("gone-soon"),
        keys::organization("gone-soon"),
        keys::anomaly("gone-soon"),
        keys::contract_partition("gone-soon"),
    ] {
        let left = items
            .query_all(Query::partition(Index::Primary, pk.clone()))
            .await
            .unwrap();
        assert!(left.is_empty(), "{pk}: {left:?}");
    }
    assert_eq!(cc_domain::billing::settings::get(items, &c).await.unwrap().version, 0);
    assert!(u.customer(&admin, &c).await.unwrap().contracts.is_empty());
    assert!(u.task_codes(&admin).await.unwrap().mappings.is_empty());
}

/// Contract numbers compare without case (`ContractId`): a write typed in another case updates
/// the kept contract and keeps its spelling unless it comes from the contract source; items kept
/// before keys were upper case (a number with lower-case letters) are found in any case, moved to
/// the upper-case key by their next write, and keep their history.
async fn contract_numbers_without_case(items: &dyn cc_domain::store::ItemStore) {
    use cc_domain::store::{Item, Write};
    use cc_domain::utilisation::Contract;
    let acme = code("acme-retail");
    let id = |s: &str| ContractId::parse(s).unwrap();
    let at = time::macros::datetime!(2026-02-01 06:00 UTC);
    let contract = |number: &str, hours: f64| Contract {
        id: id(number),
        customer: acme.clone(),
        name: "Managed".into(),
        start: time::macros::date!(2026 - 01 - 01),
        end: time::macros::date!(2026 - 12 - 31),
        entitled_hours: hours,
        monthly_allocation: Some(10.0),
        status: "Activated".into(),
    };
    let typed = cc_domain::utilisation::import::ContractColumns {
        number_spelling: false,
        ..cc_domain::utilisation::import::ContractColumns::ALL
    };
    let w = store::upsert_contracts_with(items, &[contract("CS-1", 100.0)], typed, "csv", at)
        .await
        .unwrap();
    assert_eq!(w.created, 1);
    // Typed in lower case: the same contract, spelt as kept.
    let w = store::upsert_contracts_with(
        items,
        &[contract("cs-1", 150.0)],
        typed,
        "csv",
        at + Duration::seconds(1),
    )
    .await
    .unwrap();
    assert_eq!((w.created, w.updated, w.changes), (0, 1, 1), "{w:?}");
    let kept = store::contract(items, &acme, &id("Cs-1")).await.unwrap().unwrap();
    assert_eq!(
        (kept.contract.id.as_str(), kept.contract.entitled_hours),
        ("CS-1", 150.0)
    );
    // The contract source's spelling is the contract's.
    let w = store::upsert_contracts(
        items,
        &[contract("cs-1", 150.0)],
        "salesforce",
        at + Duration::seconds(2),
    )
    .await
    .unwrap();
    assert_eq!((w.updated, w.changes), (1, 0), "{w:?}");
    let listed = store::contracts(items, &acme).await.unwrap();
    assert_eq!(
        listed.iter().map(|c| c.contract.id.as_str()).collect::<Vec<_>>(),
        ["cs-1"]
    );
    assert_eq!(
        store::entitlement_changes(items, &acme, &id("CS-1"))
            .await
            .unwrap()
            .len(),
        6
    );

    // An item kept under its typed number before keys were upper case.
    let legacy = cc_domain::utilisation::store::StoredContract {
        contract: contract("cs-2", 40.0),
        source: "csv".into(),
        updated_at: at,
        version: 0,
    };
    let mut data = serde_json::to_value(&legacy).unwrap();
    data.as_object_mut().unwrap().remove("version");
    let change =
        serde_json::json!({"field": "entitled_hours", "to": "40", "at": "2026-02-01T06:00:00Z", "source": "csv"});
    items
        .transact(vec![
            Write::at_version(
                Item::new("CONTRACT#acme-retail", "META#cs-2", data).with_gsi1("CONTRACTS", "acme-retail#cs-2"),
                0,
            ),
            Write::Put(Item::new(
                "CONTRACT#acme-retail",
                "CHANGE#cs-2#1769925600000#entitled_hours",
                change,
            )),
        ])
        .await
        .unwrap();
    let found = store::contract(items, &acme, &id("CS-2")).await.unwrap().unwrap();
    assert_eq!(found.contract.id.as_str(), "cs-2");
    assert_eq!(
        store::all_contracts(items)
            .await
            .unwrap()
            .iter()
            .filter(|c| c.contract.customer == acme)
            .count(),
        2
    );
    // Its next write moves it to the upper-case key, history and all.
    let w = store::upsert_contracts_with(
        items,
        &[contract("CS-2", 60.0)],
        typed,
        "csv",
        at + Duration::seconds(3),
    )
    .await
    .unwrap();
    assert_eq!((w.created, w.updated), (0, 1), "{w:?}");
    assert!(
        items.get("CONTRACT#acme-retail", "META#cs-2").await.unwrap().is_none(),
        "moved"
    );
    let moved = items.get("CONTRACT#acme-retail", "META#CS-2").await.unwrap().unwrap();
    assert_eq!(moved.data["id"], "cs-2", "the spelling is kept");
    let history = store::entitlement_changes(items, &acme, &id("cs-2")).await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|c| c.to.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
        ["40", "60"],
        "{history:#?}"
    );
    assert_eq!(store::contracts(items, &acme).await.unwrap().len(), 2);
}

#[tokio::test]
async fn utilisation_contract_numbers_compare_without_case_on_the_embedded_store() {
    let (app, _dir) = support::embedded().await;
    contract_numbers_without_case(app.items.as_ref()).await;
}

#[tokio::test]
async fn utilisation_contract_numbers_compare_without_case_on_dynamodb() {
    let Some(url) = cc_domain::test_env::required("CC_TEST_MOTO_URL") else {
        return;
    };
    let app = support::on_moto(&url).await;
    contract_numbers_without_case(app.items.as_ref()).await;
}

/// Unmapped hours read month by month a page at a time, mapped codes skipped by their key: the
/// same answer as the whole months' worklogs tallied at once, across pages and months, with the
/// range's ends respected.
#[tokio::test]
async fn utilisation_unmapped_hours_read_page_by_page_are_the_whole_answer() {
    use cc_domain::utilisation::Worklog;
    use cc_domain::utilisation::mapping::{self, TaskCodeMap};
    let (app, _dir) = support::embedded().await;
    demo::seed(&app, &DemoSize::default()).await.unwrap();
    let u = app.utilisation().unwrap();
    let admin = support::admin();
    let customer = code(&demo::customer_codes(&DemoSize::default())[0]);
    let today = app.clock.now().date();
    // 2,600 worklogs over about 70 days, codes interleaving mapped (MAP-) and unmapped ones in the
    // index's order, so pages of 1,000 end in the middle of both.
    let logs: Vec<Worklog> = (0..2600)
        .map(|i| Worklog {
            id: format!("page-{i}"),
            day: today - Duration::days((i % 70) as i64),
            person: format!("p{}@example.com", i % 7),
            task_code: TaskCode::parse(if i % 3 == 0 {
                format!("MAP-{}", i % 11)
            } else {
                format!("LOOSE-{}", i % 13)
            })
            .unwrap(),
            hours: 0.5 + (i % 4) as f64,
            note: String::new(),
        })
        .collect();
    store::put_worklogs(app.items.as_ref(), &logs).await.unwrap();
    let tc = u.task_codes(&admin).await.unwrap();
    let mut m = tc.mappings;
    m.push(TaskCodeMapping {
        code: TaskCode::parse("MAP-").unwrap(),
        prefix: true,
        customer: customer.clone(),
        contract: None,
    });
    u.put_task_codes(&admin, m.clone(), tc.version).await.unwrap();
    let map = TaskCodeMap::new(m);
    for (from, to) in [
        (today - Duration::days(89), today),
        (today - Duration::days(40), today - Duration::days(3)),
    ] {
        let got = u.unmapped(&admin, from, to).await.unwrap();
        let ours: Vec<&Worklog> = logs.iter().filter(|w| (from..=to).contains(&w.day)).collect();
        let want = mapping::unmapped(&map, ours);
        let loose: Vec<_> = got
            .iter()
            .filter(|c| c.task_code.as_str().starts_with("LOOSE-"))
            .cloned()
            .collect();
        assert_eq!(loose, want, "{from} - {to}");
        assert!(got.iter().all(|c| !c.task_code.as_str().starts_with("MAP-")));
    }
}
