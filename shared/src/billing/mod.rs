//! Billing (issue #13): daily costs per (account, service, day) and their storage ([`costs`]), a
//! customer's billing settings ([`settings`]), the cost-jump detector ([`anomaly`]), the lifecycle
//! of an anomaly once raised ([`lifecycle`]) and the labelled evaluation that judges the detector
//! against a naive day-over-day threshold alert ([`eval`]).

pub mod anomaly;
pub mod costs;
pub mod eval;
pub mod lifecycle;
pub mod settings;

// The fetch from AWS (Cost Explorer, Organizations) and what it reads through.
pub mod fetch;
pub mod org;
pub mod ports;

pub use anomaly::{DailySeries, Detector, Finding, FindingKind, Thresholds, detect};
pub use fetch::{Billing, BillingPorts, BillingRun, CustomerFetch, FetchStatus, Scope, Trigger};
pub use lifecycle::{Anomaly, AnomalyStatus, LifecycleError, Transition};
