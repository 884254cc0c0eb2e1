//! Every integration test of the crate, as modules of one test binary: one link of the workspace
//! instead of one per file (each is hundreds of megabytes and tens of seconds to link).

mod support;

mod access_authz;
mod billing_import;
mod binary;
mod connections;
mod imports;
mod local_server;
mod paging;
mod profiles_cli;
mod sso_breakglass;
mod ui_serving;
