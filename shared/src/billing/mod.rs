//! Billing (issue #13): daily costs per (account, service, day) and their storage ([`costs`]), a
//! customer's billing settings ([`settings`]), the cost-jump detector ([`anomaly`]), the lifecycle
//! of an anomaly once raised ([`lifecycle`]) and the labelled evaluation that judges the detector
//! against a naive day-over-day threshold alert ([`eval`]).

pub mod anomaly;
pub mod costs;
pub mod eval;
pub mod lifecycle;
pub mod settings;

// Cost queries, export import and the anomaly store (billing-data).
pub mod demo;
pub mod import;
pub mod store;

pub use anomaly::{DailySeries, Detector, Finding, FindingKind, Thresholds, detect};
pub use lifecycle::{Anomaly, AnomalyStatus, LifecycleError, Transition};
