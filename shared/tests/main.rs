//! Every integration test of the crate, as modules of one test binary: one link of the workspace
//! instead of one per file.

mod billing_anomaly_history;
mod billing_import;
mod profiles_aws_cli;
mod profiles_botocore;
