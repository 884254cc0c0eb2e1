//! Billing (issue #13): daily costs per (account, service, day), their storage and queries
//! ([`costs`]); a customer's billing settings ([`settings`]); cost and usage exports read into
//! cells ([`import`]); the fetch from Cost Explorer and Organizations through the customer's read
//! role ([`fetch`], [`org`], the ports in [`ports`]); the cost-jump detector ([`anomaly`]), raised
//! anomalies and their lifecycle ([`store`], [`lifecycle`]); the labelled evaluation that judges the
//! detector against a naive day-over-day threshold alert ([`eval`]); the demo cost history
//! ([`demo`]).

pub mod anomaly;
pub mod costs;
pub mod eval;
pub mod lifecycle;
pub mod settings;

// Cost queries, export import and the anomaly store (billing-data).
pub mod demo;
pub mod import;
pub mod store;

// The fetch from AWS (Cost Explorer, Organizations) and what it reads through.
pub mod fetch;
pub mod org;
pub mod ports;

// What the API asks, with authorisation.
pub mod service;

pub use anomaly::{DailySeries, Detector, Finding, FindingKind, Thresholds, detect};
pub use fetch::{Billing, BillingPorts, BillingRun, CustomerFetch, FetchStatus, LastFetch, Scope, Trigger};
pub use lifecycle::{Anomaly, AnomalyStatus, LifecycleError, Transition};
