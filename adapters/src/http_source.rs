//! What the HTTP sources of utilisation (`salesforce`, `jira`) share (and Security Hub's
//! `GetFindings`, made without its SDK operation, its retries): a bounded
//! wait-and-retry when the source throttles (429 / 503 with `Retry-After`), and one error type
//! whose variants say what went wrong, so a caller decides on a variant, never on a message.
//!
//! Why bounded: a sync runs in a Lambda with a time limit and on a schedule; waiting longer than
//! the cap or more often than the retries only moves the failure later. The next scheduled sync
//! starts where the last successful one ended, so giving up loses nothing.

use std::time::Duration;

use serde::Deserialize;

/// How often and how long a source is waited for when it throttles.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default)]
pub struct RetryPolicy {
    /// Retries after a 429 or 503 (so at most `max_retries + 1` tries of one request).
    pub max_retries: u32,
    /// The longest wait before one retry: a `Retry-After` above it is cut to it.
    #[serde(with = "seconds")]
    pub max_wait: Duration,
    /// The wait before the first retry when the answer has no (readable) `Retry-After`; doubled
    /// for each further retry, up to `max_wait`.
    #[serde(with = "seconds")]
    pub default_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_secs(30),
            default_wait: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based), given the answer's `Retry-After`.
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let wanted = retry_after.unwrap_or_else(|| self.default_wait.saturating_mul(1 << attempt.min(16)));
        wanted.min(self.max_wait)
    }
}

/// Durations in configuration as whole seconds (`"max_wait": 30`).
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs(u64::deserialize(d)?))
    }
}

/// Why a source could not be read as a whole. Carried inside [`cc_domain::Error::Internal`] (the
/// sync reports it; callers that decide on it use [`SourceError::of`]). Messages name the source
/// and what was being done, never a credential or token.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No answer (DNS, connection, TLS, timeout).
    #[error("{source_name}: {what}: no answer: {cause}")]
    Unreachable {
        source_name: &'static str,
        what: String,
        cause: String,
    },
    /// The credentials were refused (a bad client id or secret, a token refused again right after
    /// it was renewed, a revoked API token).
    #[error("{source_name}: {what}: credentials refused: {detail}")]
    Credentials {
        source_name: &'static str,
        what: String,
        detail: String,
    },
    /// Still throttled (429 / 503) after every retry the policy allows.
    #[error("{source_name}: {what}: still throttled (HTTP {status}) after {retries} retries")]
    Throttled {
        source_name: &'static str,
        what: String,
        status: u16,
        retries: u32,
    },
    /// Salesforce's 24-hour API request allowance of the org is used up
    /// (`403 REQUEST_LIMIT_EXCEEDED`): retrying now cannot help.
    #[error(
        "{source_name}: {what}: the org's API request limit is exceeded (REQUEST_LIMIT_EXCEEDED); syncs work again once the 24-hour allowance frees up"
    )]
    RequestLimitExceeded { source_name: &'static str, what: String },
    /// Any other answer than the one expected.
    #[error("{source_name}: {what}: HTTP {status}: {detail}")]
    Http {
        source_name: &'static str,
        what: String,
        status: u16,
        detail: String,
    },
    /// An answer that is not in the shape the API documents (not the records in it: a bad record
    /// is a `Rejected` entry).
    #[error("{source_name}: {what}: unexpected answer: {detail}")]
    BadResponse {
        source_name: &'static str,
        what: String,
        detail: String,
    },
}

impl SourceError {
    /// The source error inside a domain error, when it is one.
    pub fn of(e: &cc_domain::Error) -> Option<&SourceError> {
        match e {
            cc_domain::Error::Internal(inner) => inner.downcast_ref::<SourceError>(),
            _ => None,
        }
    }
}

impl From<SourceError> for cc_domain::Error {
    fn from(e: SourceError) -> Self {
        cc_domain::Error::Internal(anyhow::Error::new(e))
    }
}

/// Sends the request `build` makes, again after a 429 or 503 as `policy` allows (each try counted
/// in `requests`), and returns the first other answer. A request that gets no answer is not
/// retried: the source is down or the address is wrong, and the next sync tries again.
pub(crate) async fn send(
    build: impl Fn() -> reqwest::RequestBuilder,
    policy: &RetryPolicy,
    requests: &mut u32,
    source_name: &'static str,
    what: &str,
) -> Result<reqwest::Response, SourceError> {
    let mut attempt = 0;
    loop {
        *requests += 1;
        let res = build().send().await.map_err(|e| SourceError::Unreachable {
            source_name,
            what: what.to_string(),
            cause: e.without_url().to_string(),
        })?;
        let status = res.status().as_u16();
        if status != 429 && status != 503 {
            return Ok(res);
        }
        if attempt >= policy.max_retries {
            return Err(SourceError::Throttled {
                source_name,
                what: what.to_string(),
                status,
                retries: attempt,
            });
        }
        let wait = policy.wait(attempt, retry_after(&res));
        tracing::warn!(
            source = source_name,
            what,
            status,
            wait_ms = wait.as_millis() as u64,
            "throttled; waiting"
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// `Retry-After` in seconds (the form Salesforce and JIRA send); an HTTP date is not read.
fn retry_after(res: &reqwest::Response) -> Option<Duration> {
    let v = res.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Reads a JSON answer into `T`; a body of another shape is a [`SourceError::BadResponse`].
#[cfg_attr(not(any(feature = "salesforce", feature = "jira")), allow(dead_code))]
pub(crate) async fn json<T: serde::de::DeserializeOwned>(
    res: reqwest::Response,
    source_name: &'static str,
    what: &str,
) -> Result<T, SourceError> {
    let bytes = res.bytes().await.map_err(|e| SourceError::Unreachable {
        source_name,
        what: what.to_string(),
        cause: e.without_url().to_string(),
    })?;
    let de = &mut serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(de).map_err(|e| SourceError::BadResponse {
        source_name,
        what: what.to_string(),
        detail: e.to_string(),
    })
}

/// The body of an error answer, shortened, for a message (error bodies carry codes and
/// explanations, not credentials).
#[cfg_attr(not(any(feature = "salesforce", feature = "jira")), allow(dead_code))]
pub(crate) async fn error_text(res: reqwest::Response) -> String {
    let text = res.text().await.unwrap_or_default();
    let text = text.trim();
    if text.chars().count() > 300 {
        format!("{}...", text.chars().take(300).collect::<String>())
    } else {
        text.to_string()
    }
}

/// The path and query of a paging link the source gave (`nextRecordsUrl`, `nextPage`), so the
/// next page is asked of the configured host: credentials never go to a host the answer names.
#[cfg_attr(not(any(feature = "salesforce", feature = "jira")), allow(dead_code))]
pub(crate) fn path_and_query(link: &str) -> String {
    match url::Url::parse(link) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        // Already relative (Salesforce gives `/services/data/v60.0/query/01g...-2000`).
        Err(_) => link.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_up_to_the_cap_and_absent_doubles_the_default() {
        let p = RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_secs(10),
            default_wait: Duration::from_secs(2),
        };
        assert_eq!(p.wait(0, Some(Duration::from_secs(1))), Duration::from_secs(1));
        assert_eq!(p.wait(0, Some(Duration::from_secs(120))), Duration::from_secs(10));
        assert_eq!(p.wait(0, None), Duration::from_secs(2));
        assert_eq!(p.wait(1, None), Duration::from_secs(4));
        assert_eq!(p.wait(5, None), Duration::from_secs(10));
    }

    #[test]
    fn paging_links_keep_only_path_and_query() {
        assert_eq!(
            path_and_query("https://evil.example/rest/api/3/worklog/updated?since=5"),
            "/rest/api/3/worklog/updated?since=5"
        );
        assert_eq!(
            path_and_query("/services/data/v60.0/query/01gD-2000"),
            "/services/data/v60.0/query/01gD-2000"
        );
    }

    #[test]
    fn a_source_error_is_found_again_inside_the_domain_error() {
        let e: cc_domain::Error = SourceError::RequestLimitExceeded {
            source_name: "Salesforce",
            what: "query".into(),
        }
        .into();
        assert!(matches!(
            SourceError::of(&e),
            Some(SourceError::RequestLimitExceeded { .. })
        ));
        assert!(e.to_string().contains("REQUEST_LIMIT_EXCEEDED"));
    }
}
