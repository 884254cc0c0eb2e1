//! AWS adapters for the breakglass ports: STS (access broker) and IAM (role guard).

pub mod iam;
pub mod sfn;
pub mod sns;
pub mod sts;

/// A failed call to an AWS service, with what was being done.
fn upstream(what: &str, e: impl std::fmt::Display) -> crate::Error {
    crate::Error::Internal(anyhow::anyhow!("{what}: {e}"))
}
