//! Ports built on their first use rather than at start-up: those whose settings are a Secrets
//! Manager secret (Salesforce, JIRA, the webhook URL). Reading a secret is a network call, and a
//! cold start should not wait for one most invocations never need: the utilisation API's reads
//! never call Salesforce, most breakglass calls notify nobody (issue #16). A failed build is not
//! kept: the next use tries again, and its error is that use's error (a sync run records it as
//! its reason; a notifier's is logged), where before it failed every invocation's start-up.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use cc_domain::access::ports::{Notification, Notifier};
use cc_domain::utilisation::ports::{ContractBatch, ContractSource, TimesheetSource, WorklogChanges};
use time::OffsetDateTime;

type Making<T> = Pin<Box<dyn Future<Output = anyhow::Result<Arc<T>>> + Send>>;

/// A `T` made by `make` on the first call that needs it, then kept.
pub struct Deferred<T: ?Sized> {
    made: tokio::sync::OnceCell<Arc<T>>,
    make: Box<dyn Fn() -> Making<T> + Send + Sync>,
}

impl<T: ?Sized + Send + Sync> Deferred<T> {
    pub fn new<F, Fut>(make: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<Arc<T>>> + Send + 'static,
    {
        Deferred {
            made: tokio::sync::OnceCell::new(),
            make: Box::new(move || Box::pin(make())),
        }
    }

    /// The port, made now if it was not yet. Errors: `make`'s, as [`cc_domain::Error::Internal`].
    pub async fn get(&self) -> cc_domain::Result<Arc<T>> {
        self.made
            .get_or_try_init(|| (self.make)())
            .await
            .cloned()
            .map_err(cc_domain::Error::Internal)
    }
}

#[async_trait]
impl ContractSource for Deferred<dyn ContractSource> {
    async fn contracts(&self) -> cc_domain::Result<ContractBatch> {
        self.get().await?.contracts().await
    }
}

#[async_trait]
impl TimesheetSource for Deferred<dyn TimesheetSource> {
    async fn changes_since(&self, since: OffsetDateTime) -> cc_domain::Result<WorklogChanges> {
        self.get().await?.changes_since(since).await
    }
}

#[async_trait]
impl Notifier for Deferred<dyn Notifier> {
    async fn notify(&self, n: &Notification) -> cc_domain::Result<()> {
        self.get().await?.notify(n).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counted;
    #[async_trait]
    impl TimesheetSource for Counted {
        async fn changes_since(&self, since: OffsetDateTime) -> cc_domain::Result<WorklogChanges> {
            Ok(WorklogChanges {
                updated: vec![],
                deleted: vec![],
                rejected: vec![],
                until: since,
                requests: 0,
            })
        }
    }

    #[tokio::test]
    async fn made_on_first_use_once_and_a_failure_is_tried_again() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        let port = Deferred::<dyn TimesheetSource>::new(move || {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    anyhow::bail!("CC_JIRA: reading arn:x: unreachable");
                }
                Ok(Arc::new(Counted) as Arc<dyn TimesheetSource>)
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing is made before its first use");
        let e = port.changes_since(OffsetDateTime::UNIX_EPOCH).await.unwrap_err();
        assert!(format!("{e:#}").contains("CC_JIRA: reading arn:x"), "{e:#}");
        port.changes_since(OffsetDateTime::UNIX_EPOCH).await.unwrap();
        port.changes_since(OffsetDateTime::UNIX_EPOCH).await.unwrap();
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "made again after the failure, then kept"
        );
    }
}
