//! The billing AWS adapters: Cost Explorer `GetCostAndUsage` pages on moto (queued with
//! `POST /moto-api/static/ce/cost-and-usage-results`), throttling retried against a local server
//! playing Cost Explorer, Organizations facts on moto (an organisation, accounts, a delegated
//! administrator, a closed account), and a whole fetch run through them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cc_adapters::costexplorer::{CostExplorerSource, Throttling};
use cc_adapters::organizations::OrganizationsSource;
use cc_adapters::sts::StsBroker;
use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::access::ports::AccessBroker;
use cc_domain::billing::costs::{self, CostGroup, CostMetric, Granularity, Grouping};
use cc_domain::billing::ports::{CostQuery, CostSource, OrgAccountStatus, OrganizationSource, ReadRole, SourceError};
use cc_domain::billing::{BillingPorts, FetchStatus, Scope, Trigger};
use cc_domain::hub::{AccessMethod, Environment, NewAccount, NewCustomer};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::*;
use cc_domain::{App, Clock};
use serde_json::json;
use time::macros::date;

/// A fresh 12-digit account id, so tests sharing one moto never meet.
fn fresh_account() -> String {
    let n = u128::from(new_ulid()) % 899_999_999_999;
    format!("{:012}", 100_000_000_000 + n as u64)
}

fn read_role(account: &str) -> ReadRole {
    ReadRole {
        role_arn: RoleArn::parse(format!("arn:aws:iam::{account}:role/CustomerCentralRead")).unwrap(),
        external_id: Some(ExternalId::parse("cc-acme-1").unwrap()),
        session_name: "customer-central-billing".into(),
    }
}

async fn broker(moto: &str) -> Arc<dyn AccessBroker> {
    let sdk = emulator_sdk_config(moto).await;
    Arc::new(StsBroker::new(aws_sdk_sts::Client::new(&sdk), "http://127.0.0.1:1"))
}

fn group(account: &str, service: &str, amount: &str) -> serde_json::Value {
    json!({"Keys": [account, service], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}})
}

/// Queues what the next `GetCostAndUsage` calls in `account` answer.
async fn queue_ce(moto: &str, account: &str, results: serde_json::Value) {
    let res = cc_tls::reqwest_client()
        .unwrap()
        .post(format!("{moto}/moto-api/static/ce/cost-and-usage-results"))
        .json(&json!({"account_id": account, "results": results}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
}

fn two_pages(payer: &str, member: &str) -> serde_json::Value {
    let defs = json!([{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}, {"Type": "DIMENSION", "Key": "SERVICE"}]);
    json!([
        {
            "GroupDefinitions": defs,
            "ResultsByTime": [
                {"TimePeriod": {"Start": "2026-03-01", "End": "2026-03-02"}, "Total": {}, "Estimated": false,
                 "Groups": [group(payer, "Amazon Simple Storage Service", "12.3456789"),
                            group(member, "Amazon Elastic Compute Cloud - Compute", "101.5")]}
            ],
            "NextPageToken": "page-2"
        },
        {
            "GroupDefinitions": defs,
            "ResultsByTime": [
                {"TimePeriod": {"Start": "2026-03-02", "End": "2026-03-03"}, "Total": {}, "Estimated": true,
                 "Groups": [group(member, "Amazon Elastic Compute Cloud - Compute", "99.25")]}
            ]
        }
    ])
}

#[tokio::test]
async fn cost_explorer_pages_are_followed_and_parsed_on_moto() {
    let Some(moto) = test_emulator_url() else { return };
    let (payer, member) = (fresh_account(), fresh_account());
    queue_ce(&moto, &payer, two_pages(&payer, &member)).await;
    let source = CostExplorerSource::new(emulator_sdk_config(&moto).await, broker(&moto).await);
    let role = read_role(&payer);
    let mut query = CostQuery {
        start: date!(2026 - 03 - 01),
        end: date!(2026 - 03 - 03),
        metric: CostMetric::UnblendedCost,
        page_token: None,
    };
    let first = source.cost_page(&role, &query).await.unwrap();
    assert_eq!(first.next_page_token.as_deref(), Some("page-2"));
    assert_eq!(first.costs.len(), 2);
    let s3 = &first.costs[0];
    assert_eq!(
        (s3.account.as_str(), s3.service.as_str(), s3.day, s3.currency.as_str()),
        (
            payer.as_str(),
            "Amazon Simple Storage Service",
            date!(2026 - 03 - 01),
            "USD"
        )
    );
    assert!((s3.amount - 12.3456789).abs() < 1e-9);
    assert!(first.estimated_days.is_empty());
    assert!(first.costs.iter().all(|c| !c.estimated));
    query.page_token = first.next_page_token.clone();
    let second = source.cost_page(&role, &query).await.unwrap();
    assert_eq!(second.next_page_token, None);
    assert_eq!(second.costs.len(), 1);
    assert_eq!(second.costs[0].account.as_str(), member);
    assert_eq!(second.estimated_days, vec![date!(2026 - 03 - 02)]);
    assert!(second.costs[0].estimated, "the estimated day's cells say so");
    assert_eq!(source.requests(), 2);
}

#[tokio::test]
async fn an_ungrouped_total_is_read_and_a_bad_account_key_is_an_error() {
    let Some(moto) = test_emulator_url() else { return };
    let payer = fresh_account();
    queue_ce(
        &moto,
        &payer,
        json!([{"ResultsByTime": [{"TimePeriod": {"Start": "2026-03-01", "End": "2026-03-02"},
            "Total": {"UnblendedCost": {"Amount": "5.5", "Unit": "USD"}}, "Groups": [], "Estimated": false}]},
            {"ResultsByTime": [{"TimePeriod": {"Start": "2026-03-01", "End": "2026-03-02"}, "Total": {},
            "Groups": [group("not-an-account", "Tax", "1")], "Estimated": false}]}]),
    )
    .await;
    let source = CostExplorerSource::new(emulator_sdk_config(&moto).await, broker(&moto).await);
    let role = read_role(&payer);
    let query = |token: Option<&str>| CostQuery {
        start: date!(2026 - 03 - 01),
        end: date!(2026 - 03 - 02),
        metric: CostMetric::UnblendedCost,
        page_token: token.map(str::to_string),
    };
    let page = source.cost_page(&role, &query(None)).await.unwrap();
    assert!(page.costs.is_empty());
    assert_eq!(page.totals, vec![(date!(2026 - 03 - 01), 5.5, "USD".to_string())]);
    // moto answers the same body with the same result, so a different token takes the next one.
    let bad = source.cost_page(&role, &query(Some("next"))).await;
    assert!(
        matches!(bad, Err(SourceError::BadAnswer(ref m)) if m.contains("LINKED_ACCOUNT")),
        "{bad:?}"
    );
}

/// A local server playing Cost Explorer: `LimitExceededException` for the first `throttle` calls,
/// then an empty answer. Counts calls.
async fn throttling_ce(throttle: usize) -> (String, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: axum::http::HeaderMap| {
            let seen = seen.clone();
            async move {
                let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or("");
                assert!(target.ends_with("GetCostAndUsage"), "{target}");
                let n = seen.fetch_add(1, Ordering::SeqCst);
                let json = [(axum::http::header::CONTENT_TYPE, "application/x-amz-json-1.1")];
                if n < throttle {
                    (
                        axum::http::StatusCode::BAD_REQUEST,
                        json,
                        r#"{"__type":"LimitExceededException","Message":"Rate exceeded"}"#,
                    )
                } else {
                    (axum::http::StatusCode::OK, json, r#"{"ResultsByTime":[]}"#)
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), calls)
}

#[tokio::test]
async fn limit_exceeded_is_retried_with_backoff_and_bounded() {
    let Some(moto) = test_emulator_url() else { return };
    let fast = Throttling {
        max_attempts: 4,
        initial: Duration::from_millis(20),
        max: Duration::from_millis(100),
    };
    let query = CostQuery {
        start: date!(2026 - 03 - 01),
        end: date!(2026 - 03 - 02),
        metric: CostMetric::AmortizedCost,
        page_token: None,
    };
    // Throttled twice, then answered: one successful (billed) request.
    let (url, calls) = throttling_ce(2).await;
    let source = CostExplorerSource::new(emulator_sdk_config(&url).await, broker(&moto).await).with_throttling(fast);
    let page = source.cost_page(&read_role(&fresh_account()), &query).await.unwrap();
    assert!(page.costs.is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(source.requests(), 1);
    // Throttled throughout: given up after max_attempts, reported as throttling.
    let (url, calls) = throttling_ce(usize::MAX).await;
    let source = CostExplorerSource::new(emulator_sdk_config(&url).await, broker(&moto).await).with_throttling(fast);
    let err = source
        .cost_page(&read_role(&fresh_account()), &query)
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::Throttled(_)), "{err:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

/// An organisation on moto, created in a fresh management account through an assumed role: three
/// member accounts, `first` delegated administrator for GuardDuty and IAM Access Analyzer, `second` closed.
/// Returns (management, [first, second, third]).
async fn organisation(moto: &str) -> (String, Vec<String>) {
    let management = fresh_account();
    let creds = broker(moto)
        .await
        .assume(&cc_domain::access::ports::Assume {
            role_arn: RoleArn::parse(format!("arn:aws:iam::{management}:role/Setup")).unwrap(),
            external_id: None,
            session_name: "setup".into(),
            source_identity: "test".into(),
            duration_seconds: 900,
            request_id: "setup".into(),
        })
        .await
        .unwrap();
    let sdk = emulator_sdk_config(moto).await;
    let config = aws_sdk_organizations::config::Builder::from(&sdk)
        .credentials_provider(aws_sdk_organizations::config::Credentials::new(
            creds.access_key_id,
            creds.secret_access_key,
            Some(creds.session_token),
            None,
            "test",
        ))
        .build();
    let org = aws_sdk_organizations::Client::from_conf(config);
    org.create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let mut members = Vec::new();
    for name in ["workloads-prod", "old-sandbox", "data-lake"] {
        let out = org
            .create_account()
            .account_name(name)
            .email(format!("aws+{name}@example.com"))
            .send()
            .await
            .unwrap();
        members.push(out.create_account_status().unwrap().account_id().unwrap().to_string());
    }
    for service in ["guardduty.amazonaws.com", "access-analyzer.amazonaws.com"] {
        org.register_delegated_administrator()
            .account_id(&members[0])
            .service_principal(service)
            .send()
            .await
            .unwrap();
    }
    org.close_account().account_id(&members[1]).send().await.unwrap();
    (management, members)
}

#[tokio::test]
async fn organizations_facts_on_moto() {
    let Some(moto) = test_emulator_url() else { return };
    let (management, members) = organisation(&moto).await;
    let source = OrganizationsSource::new(emulator_sdk_config(&moto).await, broker(&moto).await);
    let role = read_role(&management);
    let org = source.organization(&role).await.unwrap();
    assert_eq!(org.management_account.as_str(), management);
    assert!(org.id.starts_with("o-"));
    let accounts = source.accounts(&role).await.unwrap();
    assert_eq!(accounts.len(), 4, "{accounts:?}");
    let closed = accounts.iter().find(|a| a.id.as_str() == members[1]).unwrap();
    assert_eq!(closed.status, OrgAccountStatus::Suspended);
    assert!(closed.status.is_closing());
    let prod = accounts.iter().find(|a| a.id.as_str() == members[0]).unwrap();
    assert_eq!(
        (prod.name.as_str(), prod.status),
        ("workloads-prod", OrgAccountStatus::Active)
    );
    assert_eq!(prod.email, "aws+workloads-prod@example.com");
    let delegated = source.delegated_administrators(&role).await.unwrap();
    assert_eq!(delegated.len(), 1);
    assert_eq!(
        delegated[&AccountId::parse(&members[0]).unwrap()],
        ["access-analyzer.amazonaws.com", "guardduty.amazonaws.com"]
    );
    // An account in no organisation.
    let alone = source.organization(&read_role(&fresh_account())).await;
    assert_eq!(alone, Err(SourceError::NotInOrganization));
}

fn admin() -> Principal {
    Principal {
        email: Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into(),
    }
}

#[tokio::test]
async fn a_fetch_run_through_cost_explorer_and_organizations_on_moto() {
    let Some(moto) = test_emulator_url() else { return };
    let (management, members) = organisation(&moto).await;
    queue_ce(&moto, &management, two_pages(&management, &members[0])).await;
    let dir = tempfile::tempdir().unwrap();
    let items: Arc<dyn cc_domain::store::ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let sdk = emulator_sdk_config(&moto).await;
    let costs: Arc<dyn CostSource> = Arc::new(CostExplorerSource::new(sdk.clone(), broker(&moto).await));
    let organizations: Arc<dyn OrganizationSource> = Arc::new(OrganizationsSource::new(sdk, broker(&moto).await));
    let app_at = |now| {
        App::new(
            cc_domain::Config::from_lookup(|_| None).unwrap(),
            items.clone(),
            Clock::fixed(now),
        )
        .with_billing(BillingPorts {
            costs: costs.clone(),
            organizations: organizations.clone(),
        })
    };
    let app = app_at(time::macros::datetime!(2026-03-03 06:00 UTC));
    let new: NewCustomer = serde_json::from_value(json!({"code": "acme", "name": "Acme"})).unwrap();
    app.hub.create_customer(&admin(), new).await.unwrap();
    // The hub: the management account (role access) and the first two members; the third is
    // only in the organisation.
    for (id, management_flag) in [(&management, true), (&members[0], false), (&members[1], false)] {
        app.hub
            .create_account(
                &admin(),
                NewAccount {
                    id: AccountId::parse(id.as_str()).unwrap(),
                    customer: CustomerCode::parse("acme").unwrap(),
                    name: format!("acme {id}"),
                    alias: None,
                    environment: Environment::Prod,
                    region: Region::parse("eu-west-1").unwrap(),
                    management_account: management_flag,
                    delegated_admin_services: vec![],
                    access: AccessMethod::Role {
                        read_role_arn: RoleArn::parse(format!("arn:aws:iam::{id}:role/CustomerCentralRead")).unwrap(),
                        breakglass_role_arn: RoleArn::parse(format!(
                            "arn:aws:iam::{id}:role/CustomerCentralBreakglass"
                        ))
                        .unwrap(),
                        external_id: ExternalId::parse("cc-acme-1").unwrap(),
                        max_session_seconds: 3600,
                    },
                },
            )
            .await
            .unwrap();
    }
    let run = app.billing().unwrap().run(Scope::All, Trigger::Schedule).await.unwrap();
    let acme = &run.customers[0];
    assert_eq!(acme.status, FetchStatus::Ok, "{acme:?}");
    assert_eq!(acme.requests, 2);
    assert_eq!(acme.cells_written, 3);
    assert_eq!(acme.estimated_days, 1);
    assert_eq!(run.cost_usd, 0.02);
    let org = acme.organization.as_ref().unwrap();
    assert_eq!(org.status, FetchStatus::Ok, "{org:?}");
    assert_eq!(org.hub_accounts_updated, vec![AccountId::parse(&members[0]).unwrap()]);
    assert_eq!((org.discovered, org.flagged), (1, 1));
    // The delegated administrator's services are on its hub account, through a versioned write.
    let first = app.hub.get_account(&admin(), &members[0]).await.unwrap();
    assert_eq!(
        first.delegated_admin_services,
        ["access-analyzer.amazonaws.com", "guardduty.amazonaws.com"]
    );
    assert_eq!(first.version, 2);
    let view = app
        .billing()
        .unwrap()
        .organization(&admin(), &CustomerCode::parse("acme").unwrap())
        .await
        .unwrap();
    assert_eq!(view.discovered.len(), 1);
    assert_eq!(view.discovered[0].id.as_str(), members[2]);
    assert_eq!(view.discovered[0].name, "data-lake");
    assert_eq!(view.organizations.len(), 1);
    let facts = &view.organizations[0];
    assert_eq!(facts.management_account.as_str(), management);
    assert_eq!(facts.flagged_hub_accounts.len(), 1);
    assert_eq!(facts.flagged_hub_accounts[0].id.as_str(), members[1]);

    // Cost Explorer answered 2 March `Estimated`: its cell and its rows say so, 1 March's do not.
    let acme_code = CustomerCode::parse("acme").unwrap();
    let estimated = |app: &App| {
        let items = app.items.clone();
        let acme_code = acme_code.clone();
        async move {
            let mut cells = costs::cells(
                items.as_ref(),
                &acme_code,
                date!(2026 - 03 - 01),
                date!(2026 - 03 - 02),
                None,
                None,
            )
            .await
            .unwrap();
            cells.sort_by_key(|c| (c.day, c.account.clone()));
            cells
                .into_iter()
                .map(|c| (c.day, c.amount, c.estimated))
                .collect::<Vec<_>>()
        }
    };
    let first_day: Vec<(time::Date, f64, bool)> = estimated(&app).await;
    assert_eq!(
        first_day.iter().map(|(d, _, e)| (*d, *e)).collect::<Vec<_>>(),
        [
            (date!(2026 - 03 - 01), false),
            (date!(2026 - 03 - 01), false),
            (date!(2026 - 03 - 02), true)
        ]
    );
    let report = |granularity| costs::CostQuery {
        customer: acme_code.clone(),
        from: date!(2026 - 03 - 01),
        to: date!(2026 - 03 - 02),
        account: None,
        service: None,
        granularity,
        grouping: Grouping::NONE,
    };
    let daily = costs::report(app.items.as_ref(), &report(Granularity::Daily))
        .await
        .unwrap();
    assert_eq!(
        daily.rows.iter().map(|r| (r.period, r.estimated)).collect::<Vec<_>>(),
        [
            (date!(2026 - 03 - 01), false),
            (date!(2026 - 03 - 01), false),
            (date!(2026 - 03 - 02), true)
        ]
    );
    let monthly = costs::report(
        app.items.as_ref(),
        &costs::CostQuery {
            grouping: Grouping::new(Some(CostGroup::Service), Some(1)).unwrap(),
            ..report(Granularity::Monthly)
        },
    )
    .await
    .unwrap();
    assert!(monthly.rows.iter().any(|r| r.estimated && !r.other), "{monthly:?}");

    // Early in April (March has ended; 2 March long out of the 3-day refetch window) the fetch
    // starts at the day left estimated; Cost Explorer answers it as final (and revised): the flag
    // is gone. (Within March it would not have been chased: the open month stays estimated.)
    let defs = json!([{"Type": "DIMENSION", "Key": "LINKED_ACCOUNT"}, {"Type": "DIMENSION", "Key": "SERVICE"}]);
    queue_ce(
        &moto,
        &management,
        json!([{
            "GroupDefinitions": defs,
            "ResultsByTime": [
                {"TimePeriod": {"Start": "2026-03-01", "End": "2026-03-02"}, "Total": {}, "Estimated": false,
                 "Groups": [group(&management, "Amazon Simple Storage Service", "12.3456789"),
                            group(&members[0], "Amazon Elastic Compute Cloud - Compute", "101.5")]},
                {"TimePeriod": {"Start": "2026-03-02", "End": "2026-03-03"}, "Total": {}, "Estimated": false,
                 "Groups": [group(&members[0], "Amazon Elastic Compute Cloud - Compute", "98.75")]}
            ]
        }]),
    )
    .await;
    let later = app_at(time::macros::datetime!(2026-04-03 06:00 UTC));
    let run = later
        .billing()
        .unwrap()
        .run(Scope::All, Trigger::Schedule)
        .await
        .unwrap();
    let acme = &run.customers[0];
    assert_eq!(acme.status, FetchStatus::Ok, "{acme:?}");
    assert!(!acme.backfill);
    assert_eq!(
        (acme.period_start, acme.period_end),
        (Some(date!(2026 - 03 - 02)), Some(date!(2026 - 04 - 03)))
    );
    assert_eq!(acme.estimated_days, 0);
    let after = estimated(&app).await;
    assert_eq!(after[2], (date!(2026 - 03 - 02), 98.75, false), "{after:?}");
    assert!(after.iter().all(|(_, _, e)| !e), "{after:?}");
}

/// The fetch lease's conditional writes on DynamoDB (moto): one holder at a time, released at the
/// version written, an expired one taken over.
#[tokio::test]
async fn the_fetch_lease_is_one_runs_at_a_time_on_dynamodb() {
    let Some(moto) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&moto).await;
    let table = format!("lease-{}", new_ulid()).to_lowercase();
    let items = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    items.ensure_table().await.unwrap();
    let items: Arc<dyn cc_domain::store::ItemStore> = Arc::new(items);
    let offset = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let app = App::new(
        cc_domain::Config::from_lookup(|_| None).unwrap(),
        items,
        Clock::shifted(offset.clone()),
    )
    .with_billing(BillingPorts {
        costs: Arc::new(CostExplorerSource::new(sdk.clone(), broker(&moto).await)),
        organizations: Arc::new(OrganizationsSource::new(sdk, broker(&moto).await)),
    });
    let billing = app.billing().unwrap();
    let acme = CustomerCode::parse("acme").unwrap();
    let first = billing
        .take_lease(&acme, "run-1", &Trigger::Schedule)
        .await
        .unwrap()
        .unwrap();
    let held = billing
        .take_lease(&acme, "run-2", &Trigger::Schedule)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(held.run, "run-1");
    billing.release_lease(&acme, first).await;
    let second = billing
        .take_lease(&acme, "run-2", &Trigger::Schedule)
        .await
        .unwrap()
        .unwrap();
    // run-2 dies; 21 minutes later its lease is taken over, and its late release changes nothing.
    offset.fetch_add(21 * 60, Ordering::SeqCst);
    let third = billing
        .take_lease(&acme, "run-3", &Trigger::Schedule)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(third, second);
    billing.release_lease(&acme, second).await;
    let still = billing
        .take_lease(&acme, "run-4", &Trigger::Schedule)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(still.run, "run-3");
}
