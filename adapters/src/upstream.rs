//! How AWS adapters report a failed call: an internal error naming what was being done (the
//! caller gets a 500 with no detail; the cause is logged).

/// A failed call to an AWS service, with what was being done.
pub(crate) fn upstream(what: &str, e: impl std::fmt::Display) -> cc_domain::Error {
    cc_domain::Error::Internal(anyhow::anyhow!("{what}: {e}"))
}
