//! Every integration test of the crate, as modules of one test binary: one link of the workspace
//! instead of one per file.

mod lambda_events;
mod workflow;
