//! Every integration test of the crate, as modules of one test binary: one link of the workspace
//! instead of one per file (each is hundreds of megabytes and tens of seconds to link).

mod support;

mod access;
mod access_scope;
mod audit;
mod aws_access;
mod aws_billing;
mod aws_https;
mod aws_secrets;
mod aws_sso;
mod billing_anomalies;
mod billing_costs;
mod billing_fetch;
mod hub_bulk;
mod hub_contacts;
mod hub_delete;
mod onboarding;
mod report_sources;
mod reports;
mod sso_breakglass;
mod store_conformance;
mod utilisation;
mod utilisation_sources;
mod webhook;
