//! A `reqwest` client built on its first request. Building one sets up TLS and loads the
//! trusted roots (several milliseconds), and the functions that hold one (the STS broker's
//! federation sign-in for console links, the approvers' webhook) use it on few invocations: a
//! cold start should not pay for it (issue #16).

use std::sync::OnceLock;
use std::time::Duration;

pub struct LazyHttp {
    timeout: Option<Duration>,
    client: OnceLock<reqwest::Client>,
}

impl LazyHttp {
    /// `timeout`: for each whole request (reqwest's `timeout`); none for reqwest's default.
    pub fn new(timeout: Option<Duration>) -> Self {
        LazyHttp {
            timeout,
            client: OnceLock::new(),
        }
    }

    /// The client, built now if no request was made yet.
    ///
    /// Errors: [`cc_tls::Error`], when TLS cannot be set up (no certificate authority on the
    /// system) or reqwest refuses a setting.
    pub fn client(&self) -> Result<&reqwest::Client, cc_tls::Error> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        let mut builder = cc_tls::reqwest_builder()?;
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        let built = builder.build()?;
        Ok(self.client.get_or_init(|| built))
    }

    /// Whether the client was built (for tests).
    pub fn is_built(&self) -> bool {
        self.client.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_on_first_use_once() {
        let lazy = LazyHttp::new(Some(Duration::from_secs(5)));
        assert!(!lazy.is_built());
        let first = lazy.client().unwrap() as *const reqwest::Client;
        assert!(lazy.is_built());
        assert_eq!(lazy.client().unwrap() as *const reqwest::Client, first);
    }
}
