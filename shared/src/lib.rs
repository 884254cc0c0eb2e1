//! Customer Central's domain crate: types, rules, ports and the services built on them.
//!
//! Rules sit in the middle (`hub`, `access`, `profiles`), ports at the edge (`store`: the item and
//! object store traits; `access::ports`: broker, role guard, workflow, notifier). Adapters (SQLite,
//! DynamoDB, S3, STS, IAM, Step Functions, SNS, webhook, local files) live outside, in
//! `cc-adapters`, so this crate builds without any AWS SDK, HTTP client or SQLite (the test command
//! checks that). Nothing here knows about HTTP or Lambda: the function crates translate requests
//! into calls on [`App`] and map [`Error`] to responses.

pub mod access;
pub mod app;
pub mod audit;
pub mod billing;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod hub;
pub mod identity;
pub mod ids;
pub mod keys;
pub mod page;
pub mod people;
pub mod profiles;
pub mod reports;
pub mod store;
pub mod test_env;
pub mod text;
pub mod trigger;
pub mod utilisation;

pub use app::{AccessPorts, App};
pub use clock::Clock;
pub use config::Config;
pub use error::{Conflict, Error, Result};
pub use trigger::Trigger;
