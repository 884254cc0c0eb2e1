//! Quick find searches key contacts: the hub snapshot loads them from the `CONTACTS` index, and
//! contacts stored before that index existed are put on it by the first load (on both storage
//! backends: embedded SQLite and DynamoDB on moto).

use std::sync::Arc;

use cc_adapters::wire::{emulator_sdk_config, test_emulator_url};
use cc_domain::config::Config;
use cc_domain::hub::{NewContact, NewCustomer};
use cc_domain::identity::{Principal, Role};
use cc_domain::ids::{Email, new_ulid};
use cc_domain::keys;
use cc_domain::store::{Item, ItemStore};
use cc_domain::{App, Clock};

fn admin() -> Principal {
    Principal {
        email: Email::parse("ada@example.com").unwrap(),
        subject: "ada".into(),
        roles: [Role::Admin].into(),
    }
}

fn app(items: Arc<dyn ItemStore>) -> App {
    App::new(Config::from_lookup(|_| None).unwrap(), items, Clock::system())
}

async fn contacts_stored_before_the_index_are_found(items: Arc<dyn ItemStore>) {
    let first = app(items.clone());
    let customer: NewCustomer =
        serde_json::from_value(serde_json::json!({"code": "acme", "name": "Acme Retail"})).unwrap();
    first.hub.create_customer(&admin(), customer).await.unwrap();
    // As the code before the index wrote it: under the customer, on no index.
    let legacy_id = new_ulid().to_string().to_lowercase();
    let legacy = serde_json::json!({"id": legacy_id, "customer": "acme", "name": "Lee Legacy",
        "role": "CFO", "email": "lee@acme.example", "phone": null, "escalation_order": 1});
    items
        .put_new(Item::new(keys::customer("acme"), keys::contact(&legacy_id), legacy))
        .await
        .unwrap();
    assert!(
        items
            .get(keys::CONTACTS_INDEXED.0, keys::CONTACTS_INDEXED.1)
            .await
            .unwrap()
            .is_none()
    );
    let new = NewContact {
        name: "Nia New".into(),
        role: "CTO".into(),
        email: Email::parse("nia@acme.example").unwrap(),
        phone: None,
        escalation_order: 2,
    };
    first.hub.create_contact(&admin(), "acme", new).await.unwrap();

    let found = first.hub.search(&admin(), "legacy", None).await.unwrap();
    assert_eq!(found.total_contacts, 1);
    assert_eq!(found.contacts[0].name, "Lee Legacy");
    assert_eq!(first.hub.search(&admin(), "nia", None).await.unwrap().total_contacts, 1);
    let stored = items
        .get(&keys::customer("acme"), &keys::contact(&legacy_id))
        .await
        .unwrap()
        .unwrap();
    assert!(stored.gsi2.is_some(), "put on the index");
    assert_eq!(stored.version, 2, "a conditional rewrite");
    assert!(
        items
            .get(keys::CONTACTS_INDEXED.0, keys::CONTACTS_INDEXED.1)
            .await
            .unwrap()
            .is_some()
    );

    // Another instance (its own cache) loads both from the index alone.
    let second = app(items);
    let found = second.hub.search(&admin(), "acme.example", Some(10)).await.unwrap();
    let mut names: Vec<&str> = found.contacts.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Lee Legacy", "Nia New"]);
}

#[tokio::test]
async fn contacts_stored_before_the_index_are_found_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = cc_adapters::sqlite::SqliteStore::open(&dir.path().join("items.sqlite3")).unwrap();
    contacts_stored_before_the_index_are_found(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_stored_before_the_index_are_found_on_dynamodb() {
    let Some(url) = test_emulator_url() else { return };
    let sdk = emulator_sdk_config(&url).await;
    let table = format!("contacts-{}", new_ulid()).to_lowercase();
    let store = cc_adapters::dynamo::DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), &table);
    store.ensure_table().await.unwrap();
    contacts_stored_before_the_index_are_found(Arc::new(store)).await;
}
