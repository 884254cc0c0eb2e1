//! An anomaly once raised: open → acknowledged → resolved, each step with who, when and a note.
//! Pure transitions; storage (with a conditional write on a version) comes later.

use time::OffsetDateTime;

use super::anomaly::Finding;
use crate::ids::{AccountId, Email};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyStatus {
    Open,
    Acknowledged,
    Resolved,
}

impl AnomalyStatus {
    /// As in JSON and the status index (`open`, `acknowledged`, `resolved`).
    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyStatus::Open => "open",
            AnomalyStatus::Acknowledged => "acknowledged",
            AnomalyStatus::Resolved => "resolved",
        }
    }
}

/// Who moved the anomaly on, when, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Transition {
    #[schema(value_type = String, format = Email)]
    pub by: Email,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// Acknowledging an anomaly that is not open.
    #[error("the anomaly is {}, only an open anomaly can be acknowledged", .0.as_str())]
    NotOpen(AnomalyStatus),
    /// Resolving an anomaly that is already resolved.
    #[error("the anomaly is already resolved")]
    AlreadyResolved,
}

/// A raised anomaly with its lifecycle.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Anomaly {
    #[schema(value_type = String)]
    pub account: AccountId,
    pub service: String,
    pub finding: Finding,
    pub acknowledged: Option<Transition>,
    pub resolved: Option<Transition>,
}

impl Anomaly {
    pub fn open(account: AccountId, service: impl Into<String>, finding: Finding) -> Self {
        Anomaly {
            account,
            service: service.into(),
            finding,
            acknowledged: None,
            resolved: None,
        }
    }

    pub fn status(&self) -> AnomalyStatus {
        match (&self.acknowledged, &self.resolved) {
            (_, Some(_)) => AnomalyStatus::Resolved,
            (Some(_), None) => AnomalyStatus::Acknowledged,
            (None, None) => AnomalyStatus::Open,
        }
    }

    /// Someone has seen it and is looking. Only from open.
    pub fn acknowledge(
        mut self,
        by: &Email,
        at: OffsetDateTime,
        note: impl Into<String>,
    ) -> Result<Self, LifecycleError> {
        match self.status() {
            AnomalyStatus::Open => {
                self.acknowledged = Some(Transition {
                    by: by.clone(),
                    at,
                    note: note.into(),
                });
                Ok(self)
            }
            other => Err(LifecycleError::NotOpen(other)),
        }
    }

    /// Explained or fixed. From open (resolved at once) or acknowledged.
    pub fn resolve(mut self, by: &Email, at: OffsetDateTime, note: impl Into<String>) -> Result<Self, LifecycleError> {
        match self.status() {
            AnomalyStatus::Resolved => Err(LifecycleError::AlreadyResolved),
            _ => {
                self.resolved = Some(Transition {
                    by: by.clone(),
                    at,
                    note: note.into(),
                });
                Ok(self)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::billing::FindingKind;

    fn anomaly() -> Anomaly {
        let finding = Finding {
            kind: FindingKind::Step,
            first_day: date!(2026 - 03 - 02),
            detected_on: date!(2026 - 03 - 03),
            last_day: date!(2026 - 03 - 04),
            expected: 100.0,
            actual: 180.0,
            impact: 160.0,
        };
        Anomaly::open(AccountId::parse("012345678901").unwrap(), "Amazon EC2", finding)
    }

    fn ann() -> Email {
        Email::parse("ann@example.com").unwrap()
    }

    #[test]
    fn billing_anomaly_goes_open_acknowledged_resolved_with_who_when_note() {
        let a = anomaly();
        assert_eq!(a.status(), AnomalyStatus::Open);
        let a = a
            .acknowledge(&ann(), datetime!(2026-03-03 09:00 UTC), "looking")
            .unwrap();
        assert_eq!(a.status(), AnomalyStatus::Acknowledged);
        let a = a
            .resolve(&ann(), datetime!(2026-03-04 10:00 UTC), "new cluster, expected")
            .unwrap();
        assert_eq!(a.status(), AnomalyStatus::Resolved);
        let ack = a.acknowledged.as_ref().unwrap();
        assert_eq!((ack.by.as_str(), ack.note.as_str()), ("ann@example.com", "looking"));
        assert_eq!(a.resolved.as_ref().unwrap().at, datetime!(2026-03-04 10:00 UTC));
    }

    #[test]
    fn billing_anomaly_can_be_resolved_straight_from_open() {
        let a = anomaly()
            .resolve(&ann(), datetime!(2026-03-03 09:00 UTC), "known")
            .unwrap();
        assert_eq!(a.status(), AnomalyStatus::Resolved);
        assert!(a.acknowledged.is_none());
    }

    #[test]
    fn billing_anomaly_invalid_transitions_are_errors() {
        let at = datetime!(2026-03-03 09:00 UTC);
        let acked = anomaly().acknowledge(&ann(), at, "").unwrap();
        assert_eq!(
            acked.clone().acknowledge(&ann(), at, "again").unwrap_err(),
            LifecycleError::NotOpen(AnomalyStatus::Acknowledged)
        );
        assert_eq!(
            LifecycleError::NotOpen(AnomalyStatus::Acknowledged).to_string(),
            "the anomaly is acknowledged, only an open anomaly can be acknowledged"
        );
        let resolved = acked.resolve(&ann(), at, "").unwrap();
        assert_eq!(
            resolved.clone().acknowledge(&ann(), at, "").unwrap_err(),
            LifecycleError::NotOpen(AnomalyStatus::Resolved)
        );
        assert_eq!(
            resolved.resolve(&ann(), at, "").unwrap_err(),
            LifecycleError::AlreadyResolved
        );
    }
}
