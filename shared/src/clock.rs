//! The application's clock. Every rule that depends on "now" (grant ends, approval windows,
//! `created_at`/`updated_at`, later billing windows and report months) reads it from here, so tests
//! set the time instead of waiting for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

/// A source of the current UTC time: the system clock in production.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Clock(Arc::new(OffsetDateTime::now_utc))
    }

    /// The system clock shifted by `offset` seconds (which a test may change at any time).
    pub fn shifted(offset: Arc<AtomicI64>) -> Self {
        Clock(Arc::new(move || {
            OffsetDateTime::now_utc() + time::Duration::seconds(offset.load(Ordering::SeqCst))
        }))
    }

    /// Always `at`.
    pub fn fixed(at: OffsetDateTime) -> Self {
        Clock(Arc::new(move || at))
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_clock_follows_its_offset() {
        let offset = Arc::new(AtomicI64::new(0));
        let clock = Clock::shifted(offset.clone());
        let before = clock.now();
        offset.store(3600, Ordering::SeqCst);
        let after = clock.now();
        assert!(after - before >= time::Duration::seconds(3600));
    }

    #[test]
    fn fixed_clock_never_moves() {
        let at = time::macros::datetime!(2026-10-31 23:59:59 UTC);
        assert_eq!(Clock::fixed(at).now(), at);
    }
}
