//! What the breakglass service tests share: people, an app on each backend, a seeded customer
//! with a role account and a team, and a request.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::AtomicI64;

use cc_adapters::wire::emulator_sdk_config;
use cc_domain::access::NewRequest;
use cc_domain::access::service::Origin;
use cc_domain::config::Config;
use cc_domain::hub::{AccessMethod, Environment, NewAccount, NewCustomer};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::*;
use cc_domain::page::PageRequest;
use cc_domain::store::ItemStore;
use cc_domain::{App, Clock};

pub fn person(email: &str, roles: &[Role]) -> Principal {
    Principal {
        email: Email::parse(email).unwrap(),
        subject: email.into(),
        roles: roles.iter().copied().collect(),
    }
}

/// One page holding everything these tests list.
pub fn all() -> PageRequest {
    PageRequest::new(Some(200), None).unwrap()
}

pub fn admin() -> Principal {
    person("ada@example.com", &[Role::Admin])
}
pub fn erin() -> Principal {
    person("erin@example.com", &[Role::Engineer])
}
pub fn senior(n: usize) -> Principal {
    person(&format!("senior{n}@example.com"), &[Role::Engineer, Role::Senior])
}
pub fn lead() -> Principal {
    person("lee@example.com", &[Role::Engineer, Role::Senior, Role::Lead])
}

pub async fn embedded() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    (cc_adapters::wire::local_server(config).await.unwrap(), dir)
}

pub async fn on_moto(url: &str) -> App {
    let sdk = emulator_sdk_config(url).await;
    let table = format!("access-{}", new_ulid()).to_lowercase();
    let items = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    items.ensure_table().await.unwrap();
    let items: Arc<dyn ItemStore> = Arc::new(items);
    let objects =
        cc_adapters::local_objects::LocalObjectStore::new(std::env::temp_dir().join(&table), b"k", "http://x");
    let config = Config::from_lookup(|_| None).unwrap();
    let ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    App::new(config, items, Clock::system())
        .with_access(ports)
        .with_objects(Arc::new(objects))
}

pub async fn seed(app: &App, account: &str) {
    let _ = app
        .hub
        .create_customer(
            &admin(),
            serde_json::from_value::<NewCustomer>(serde_json::json!({"code": "acme", "name": "Acme"})).unwrap(),
        )
        .await;
    app.hub
        .create_account(
            &admin(),
            NewAccount {
                id: AccountId::parse(account).unwrap(),
                customer: CustomerCode::parse("acme").unwrap(),
                name: "payments prod".into(),
                alias: None,
                environment: Environment::Prod,
                region: Region::parse("eu-west-1").unwrap(),
                management_account: false,
                delegated_admin_services: vec![],
                access: AccessMethod::Role {
                    read_role_arn: RoleArn::parse(format!("arn:aws:iam::{account}:role/CCRead")).unwrap(),
                    breakglass_role_arn: RoleArn::parse(format!("arn:aws:iam::{account}:role/CCBreakglass")).unwrap(),
                    external_id: ExternalId::parse("cc-acme-1").unwrap(),
                    max_session_seconds: 3600,
                },
            },
        )
        .await
        .unwrap();
    // The customer's team: the requesters and every senior these tests decide with (leads
    // decide off-team by default). `bob` and `sue` stay off it.
    let mut members: Vec<Email> = ["erin@example.com", "sam@example.com"]
        .into_iter()
        .map(|e| Email::parse(e).unwrap())
        .collect();
    members.extend((0..50).filter(|i| i % 4 < 2 || *i < 4).map(|i| senior(i).email));
    let team = cc_domain::hub::TeamUpdate { members, version: 0 };
    // Seeded once per app; later calls find the team in place.
    let _ = app.hub.put_team(&admin(), "acme", team).await;
}

pub fn ask(account: &str, minutes: u32) -> NewRequest {
    NewRequest {
        account_id: AccountId::parse(account).unwrap(),
        duration_minutes: minutes,
        justification: "Payments queue stuck, need to purge the dead-letter queue".into(),
        ticket: Some("OPS-42".into()),
        starts_at: None,
        permission_set: None,
    }
}

pub fn o() -> Origin {
    Origin {
        source_ip: Some("203.0.113.7".into()),
    }
}

/// The embedded app on a clock the test moves forward (seconds in the returned offset).
pub async fn shifted() -> (App, tempfile::TempDir, Arc<AtomicI64>) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let items: Arc<dyn ItemStore> =
        Arc::new(cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap());
    let objects = cc_adapters::local_objects::LocalObjectStore::new(dir.path().join("o"), b"k", "http://x");
    let offset = Arc::new(AtomicI64::new(0));
    let ports = cc_adapters::local_access::ports(items.clone(), "http://127.0.0.1:1");
    let app = App::new(config, items, Clock::shifted(offset.clone()))
        .with_access(ports)
        .with_objects(Arc::new(objects));
    (app, dir, offset)
}
