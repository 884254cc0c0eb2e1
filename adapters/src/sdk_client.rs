//! AWS SDK clients made on their first call rather than at start-up (issue #16).
//!
//! Making the first client of an SDK crate (`aws_sdk_sts::Client::new`, ...) parses that crate's
//! copy of the AWS partitions document (every partition's regions, compiled regular expressions
//! included) for its endpoint resolver: about 0.7 million instructions per SDK crate, counted
//! with callgrind on x86_64, which was most of what `access-request` did at start-up beyond
//! `customers`. Most invocations need none of these clients: the breakglass routes read the
//! table, and only a grant calls STS, a new request Step Functions and SNS; the report routes
//! mostly list, and only downloads and builds reach S3. So the adapters hold an [`OnFirstUse`]
//! client: made once, by the first call that needs it, then kept for the process's life.
//!
//! The item store's DynamoDB client is made at start-up as before: nearly every invocation uses it.

use std::ops::Deref;
use std::sync::LazyLock;

/// A client of type `C`, made by the first [`Deref`] and kept. `From<C>` wraps a client already
/// made (tests, the `cc` runner).
pub struct OnFirstUse<C>(LazyLock<C, Box<dyn FnOnce() -> C + Send>>);

impl<C> OnFirstUse<C> {
    /// A client `make` makes on first use (e.g. `move || aws_sdk_sns::Client::new(&sdk)`).
    pub fn new(make: impl FnOnce() -> C + Send + 'static) -> Self {
        OnFirstUse(LazyLock::new(Box::new(make)))
    }

    /// Whether the client was made yet (for tests).
    pub fn is_made(this: &Self) -> bool {
        LazyLock::get(&this.0).is_some()
    }
}

impl<C: Send + 'static> From<C> for OnFirstUse<C> {
    fn from(client: C) -> Self {
        OnFirstUse::new(move || client)
    }
}

impl<C> Deref for OnFirstUse<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn made_on_first_use_once() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = made.clone();
        let client = OnFirstUse::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            String::from("client")
        });
        assert!(!OnFirstUse::is_made(&client));
        assert_eq!(made.load(Ordering::SeqCst), 0);
        assert_eq!(client.len(), 6);
        assert_eq!(&*client, "client");
        assert!(OnFirstUse::is_made(&client));
        assert_eq!(made.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_made_client_is_kept_as_is() {
        let client: OnFirstUse<Vec<u8>> = vec![1, 2, 3].into();
        assert_eq!(client.as_slice(), [1, 2, 3]);
    }
}
