//! Every integration test of the crate, as modules of one test binary: one link of the workspace
//! instead of one per file.

mod api;
mod identity_providers;
mod lambda_entry;
mod lambda_events;
