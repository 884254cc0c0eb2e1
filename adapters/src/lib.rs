//! The adapters: everything that talks to an outside system on behalf of the domain's ports.
//!
//! | port | embedded (local default) | AWS |
//! |---|---|---|
//! | `ItemStore` | [`sqlite`] | [`dynamo`] |
//! | `ObjectStore` | [`local_objects`] | [`s3`] |
//! | `AccessBroker` | [`local_access::LocalBroker`] | [`sts`] |
//! | `RoleGuard` | [`local_access::LocalRoleGuard`] | [`iam`] (its document: [`revoke_policy`]) |
//! | `SsoAssigner` | [`local_access::LocalSsoAssigner`] | [`sso`] |
//! | `Workflow` | [`local_access::LocalWorkflow`] | [`sfn`] |
//! | `Notifier` | [`local_access::LogNotifier`], [`webhook`] | [`sns`] |
//! | `CostSource` (billing) | [`local_billing::LocalCostSource`] | `costexplorer` (through `read_role`) |
//! | `OrganizationSource` (billing) | [`local_billing::LocalOrganizationSource`] | `organizations` |
//! | `ContractSource` (utilisation) | `local_utilisation` (the demo's contracts) | `salesforce` (Salesforce REST query API) |
//! | `TimesheetSource` (utilisation) | `local_utilisation` (the demo's worklogs) | `jira` (JIRA Cloud worklogs) |
//!
//! One cargo feature per outside system, so a Lambda links only the SDK crates it uses; [`wire`]
//! holds one builder per function. [`conformance`] is the suite every store adapter passes.

pub mod conformance;
pub mod files;
pub mod local_access;
pub mod local_billing;
pub mod local_reports;
pub mod local_utilisation;
pub mod revoke_policy;
pub mod wire;

#[cfg(feature = "costexplorer")]
pub mod costexplorer;
pub mod deferred;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "http-source")]
pub mod http_source;
#[cfg(feature = "aws")]
pub mod https;
#[cfg(feature = "iam")]
pub mod iam;
#[cfg(feature = "jira")]
pub mod jira;
#[cfg(any(feature = "sts", feature = "webhook"))]
pub mod lazy_http;
#[cfg(feature = "embedded")]
pub mod local_objects;
#[cfg(feature = "organizations")]
pub mod organizations;
#[cfg(any(
    feature = "costexplorer",
    feature = "organizations",
    feature = "securityhub",
    feature = "renewals"
))]
pub mod read_role;
#[cfg(feature = "costexplorer")]
pub mod recommendations;
#[cfg(feature = "renewals")]
pub mod renewals;
pub mod report_role;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "salesforce")]
pub mod salesforce;
#[cfg(any(feature = "sts", feature = "sfn", feature = "sns", feature = "s3"))]
pub mod sdk_client;
#[cfg(feature = "secrets")]
pub mod secrets;
#[cfg(feature = "securityhub")]
pub mod securityhub;
#[cfg(feature = "sfn")]
pub mod sfn;
#[cfg(feature = "sns")]
pub mod sns;
#[cfg(feature = "embedded")]
pub mod sqlite;
#[cfg(feature = "sso")]
pub mod sso;
#[cfg(feature = "sts")]
pub mod sts;
#[cfg(any(feature = "sts", feature = "sfn"))]
mod upstream;
#[cfg(feature = "webhook")]
pub mod webhook;
