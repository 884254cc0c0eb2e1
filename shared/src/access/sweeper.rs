//! The sweeper: finds due work through the status index (approval windows that closed, approved
//! grants whose start came, active grants past their end) and applies it; retries removing the
//! IAM Identity Center assignments of finished SSO grants (`sso`). Idempotent.

use super::service::*;
use super::*;
use crate::keys;
use crate::store::{Index, Query, decode};
impl Access {
    /// When the sweeper next has work: the earliest due time among open requests (pending,
    /// approved, active), or `None` when nothing is open. One index read per status.
    pub async fn next_due(&self) -> Result<Option<time::OffsetDateTime>> {
        let mut next: Option<time::OffsetDateTime> = None;
        for status in [Status::Pending, Status::Approved, Status::Active] {
            let page = self
                .store
                .query(Query::partition(Index::Gsi2, keys::status(status.as_str())).limit(1))
                .await?;
            if let Some(item) = page.items.into_iter().next() {
                let due = due(&decode::<AccessRequest>(item)?);
                next = Some(next.map_or(due, |n| n.min(due)));
            }
        }
        Ok(next)
    }

    /// Times out pending requests past their window, grants approved ones whose start has come,
    /// and ends active grants past their end. Found through the status index; idempotent.
    pub async fn sweep(&self) -> Result<SweepReport> {
        let now = self.now();
        let mut report = SweepReport::default();
        // Retries first: SSO assignments of finished grants whose removal failed before.
        if let Err(e) = self.sweep_assignments(&mut report).await {
            tracing::error!(error = %e, "sweep: could not list SSO assignments");
            report.failures += 1;
        }
        for status in [Status::Pending, Status::Approved, Status::Active] {
            let cutoff = keys::due_before(now);
            let mut cursor = None;
            'pages: loop {
                let page = self
                    .store
                    .query(
                        Query::partition(Index::Gsi2, keys::status(status.as_str()))
                            .limit(100)
                            .after(cursor),
                    )
                    .await?;
                for item in page.items {
                    let sort = item.gsi2.as_ref().map(|k| k.sk.clone()).unwrap_or_default();
                    if sort.as_str() > cutoff.as_str() {
                        break 'pages; // sorted by due time: the rest is not due
                    }
                    let r: AccessRequest = decode(item)?;
                    let result = match status {
                        Status::Pending => self.time_out(&r.id).await.map(|_| report.timed_out += 1),
                        Status::Approved => self.grant(&r.id).await.map(|_| report.granted += 1),
                        _ => self.end_if_due(&r.id).await.map(|_| report.expired += 1),
                    };
                    // A concurrent change (a late approval, a revoke) is fine: the state moved on.
                    if let Err(e) = result
                        && !matches!(e, Error::Conflict { .. })
                    {
                        report.failures += 1;
                        self.record_failure(&r, "sweep_failed", &e).await;
                    }
                }
                match page.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
        }
        if report != SweepReport::default() {
            tracing::info!(?report, "sweep");
        }
        Ok(report)
    }
}
