//! Approver notifications through an SNS topic (e-mail, chat or paging subscriptions). The message
//! is the human text; attributes carry the event and ids for subscription filter policies.

use async_trait::async_trait;
use aws_sdk_sns::types::MessageAttributeValue;

use cc_domain::access::ports::{Notification, Notifier};
use cc_domain::error::{Error, Result};

pub struct SnsNotifier {
    client: crate::sdk_client::OnFirstUse<aws_sdk_sns::Client>,
    topic_arn: String,
}

impl SnsNotifier {
    pub fn new(
        client: impl Into<crate::sdk_client::OnFirstUse<aws_sdk_sns::Client>>,
        topic_arn: impl Into<String>,
    ) -> Self {
        SnsNotifier {
            client: client.into(),
            topic_arn: topic_arn.into(),
        }
    }
}

fn attr(v: &str) -> Result<MessageAttributeValue> {
    MessageAttributeValue::builder()
        .data_type("String")
        .string_value(v)
        .build()
        .map_err(|e| Error::Internal(e.into()))
}

#[async_trait]
impl Notifier for SnsNotifier {
    async fn notify(&self, n: &Notification) -> Result<()> {
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject("Customer Central breakglass")
            .message(&n.text)
            .message_attributes("event", attr(n.event)?)
            .message_attributes("customer", attr(&n.customer)?)
            .message_attributes("request_id", attr(&n.request_id)?)
            .send()
            .await
            .map_err(|e| {
                Error::Internal(anyhow::anyhow!(
                    "SNS Publish: {}",
                    aws_sdk_sns::error::DisplayErrorContext(e)
                ))
            })?;
        Ok(())
    }
}
