//! AWS adapters for the breakglass ports: STS (access broker) and IAM (role guard).

pub mod iam;
pub mod sfn;
pub mod sns;
pub mod sts;
