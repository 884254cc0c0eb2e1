//! Sessions of a customer's read role for the billing adapters (Cost Explorer, Organizations):
//! assumed through the access broker (STS `AssumeRole` with the external id, as breakglass does),
//! 15-minute sessions, reused while more than 5 minutes remain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cc_domain::access::ports::{AccessBroker, Assume, Credentials};
use cc_domain::billing::ports::{ReadRole, SourceError};
use time::OffsetDateTime;

/// Who the customer's CloudTrail shows as the session's source identity.
pub const SOURCE_IDENTITY: &str = "customer-central-billing";

pub struct ReadSessions {
    broker: Arc<dyn AccessBroker>,
    cache: Mutex<HashMap<String, Credentials>>,
}

impl ReadSessions {
    pub fn new(broker: Arc<dyn AccessBroker>) -> Self {
        ReadSessions {
            broker,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Credentials of a session of `role`: a cached one with more than 5 minutes left, else a new
    /// one (STS's minimum, 900 s: a fetch takes seconds).
    pub async fn credentials(&self, role: &ReadRole) -> Result<Credentials, SourceError> {
        let key = format!(
            "{}|{}|{}",
            role.role_arn,
            role.external_id.as_ref().map(|e| e.as_str()).unwrap_or(""),
            role.session_name
        );
        let fresh = |c: &Credentials| c.expiration - OffsetDateTime::now_utc() > time::Duration::minutes(5);
        if let Some(c) = self
            .cache
            .lock()
            .ok()
            .and_then(|m| m.get(&key).filter(|c| fresh(c)).cloned())
        {
            return Ok(c);
        }
        let creds = self
            .broker
            .assume(&Assume {
                role_arn: role.role_arn.clone(),
                external_id: role.external_id.clone(),
                session_name: role.session_name.clone(),
                source_identity: SOURCE_IDENTITY.into(),
                duration_seconds: 900,
                request_id: "billing-fetch".into(),
            })
            .await
            .map_err(|e| SourceError::AccessDenied(format!("assuming {}: {e}", role.role_arn)))?;
        if let Ok(mut m) = self.cache.lock() {
            m.insert(key, creds.clone());
        }
        Ok(creds)
    }
}
