//! Approver notifications through an incoming webhook. The body is Slack's (`text`), which
//! Microsoft Teams workflows and most chat tools accept too; the structured fields ride along.

use async_trait::async_trait;

use cc_domain::access::ports::{Notification, Notifier};
use cc_domain::error::{Error, Result};

pub struct WebhookNotifier {
    url: String,
    http: crate::lazy_http::LazyHttp,
}

impl WebhookNotifier {
    pub fn new(url: String) -> Self {
        WebhookNotifier {
            url,
            http: crate::lazy_http::LazyHttp::new(Some(std::time::Duration::from_secs(5))),
        }
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn notify(&self, n: &Notification) -> Result<()> {
        let body = serde_json::json!({
            "text": format!(":rotating_light: {}", n.text),
            "event": n.event,
            "request_id": n.request_id,
            "customer": n.customer,
            "account_id": n.account_id,
        });
        let res = self
            .http
            .client()
            .map_err(|e| Error::Internal(anyhow::anyhow!("webhook: {e}")))?
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::Internal(anyhow::anyhow!("webhook: {e}")))?;
        if !res.status().is_success() {
            return Err(Error::Internal(anyhow::anyhow!(
                "webhook answered HTTP {}",
                res.status()
            )));
        }
        Ok(())
    }
}
