//! Billing rules. So far: the cost-jump detector of issue #13 ([`anomaly`]), the lifecycle of an
//! anomaly once raised ([`lifecycle`]) and the labelled evaluation that judges the detector against
//! a naive day-over-day threshold alert ([`eval`]). Fetching, import, storage, API and UI come later.

pub mod anomaly;
pub mod eval;
pub mod lifecycle;

pub use anomaly::{DailySeries, Detector, Finding, FindingKind, Thresholds, detect};
pub use lifecycle::{Anomaly, AnomalyStatus, LifecycleError, Transition};
