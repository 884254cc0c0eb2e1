//! The STS access broker: AssumeRole into a customer's breakglass role with its external id,
//! the requester as SourceIdentity (so the customer's CloudTrail shows who) and the request id as
//! a session tag; console sign-in through the federation endpoint's getSigninToken.

use async_trait::async_trait;
use aws_sdk_sts::types::Tag;
use time::OffsetDateTime;

use crate::upstream::upstream;
use cc_domain::access::ports::{AccessBroker, Assume, Credentials};
use cc_domain::error::Result;

pub struct StsBroker {
    client: crate::sdk_client::OnFirstUse<aws_sdk_sts::Client>,
    /// `https://signin.aws.amazon.com` in AWS; configurable so tests can point it at a local server.
    federation_url: String,
    http: crate::lazy_http::LazyHttp,
}

impl StsBroker {
    pub fn new(
        client: impl Into<crate::sdk_client::OnFirstUse<aws_sdk_sts::Client>>,
        federation_url: impl Into<String>,
    ) -> Self {
        StsBroker {
            client: client.into(),
            federation_url: federation_url.into(),
            http: crate::lazy_http::LazyHttp::new(None),
        }
    }
}

#[async_trait]
impl AccessBroker for StsBroker {
    async fn assume(&self, req: &Assume) -> Result<Credentials> {
        let tag = Tag::builder()
            .key("customer-central-request")
            .value(&req.request_id)
            .build()
            .map_err(|e| upstream("building the session tag", e))?;
        let out = self
            .client
            .assume_role()
            .role_arn(req.role_arn.as_str())
            .role_session_name(&req.session_name)
            .set_external_id(req.external_id.as_ref().map(|e| e.to_string()))
            .duration_seconds(req.duration_seconds as i32)
            .source_identity(&req.source_identity)
            .tags(tag)
            .send()
            .await
            .map_err(|e| {
                upstream(
                    &format!("AssumeRole {}", req.role_arn),
                    aws_sdk_sts::error::DisplayErrorContext(e),
                )
            })?;
        let c = out
            .credentials()
            .ok_or_else(|| upstream("AssumeRole", "the answer carried no credentials"))?;
        Ok(Credentials {
            access_key_id: c.access_key_id().to_string(),
            secret_access_key: c.secret_access_key().to_string(),
            session_token: c.session_token().to_string(),
            expiration: OffsetDateTime::from_unix_timestamp(c.expiration().secs())
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        })
    }

    async fn console_url(&self, creds: &Credentials, destination: &str) -> Result<String> {
        let session = serde_json::json!({
            "sessionId": creds.access_key_id,
            "sessionKey": creds.secret_access_key,
            "sessionToken": creds.session_token,
        })
        .to_string();
        let base = self.federation_url.trim_end_matches('/');
        // SessionDuration is refused for role-chained sessions, so the session's own expiry applies.
        let url = url::Url::parse_with_params(
            &format!("{base}/federation"),
            [("Action", "getSigninToken"), ("Session", session.as_str())],
        )
        .map_err(|e| upstream("federation URL", e))?;
        let res = self
            .http
            .client()
            .map_err(|e| upstream("getSigninToken", e))?
            .get(url)
            .send()
            .await
            .map_err(|e| upstream("getSigninToken", e))?;
        if !res.status().is_success() {
            return Err(upstream("getSigninToken", format!("HTTP {}", res.status())));
        }
        #[derive(serde::Deserialize)]
        struct Token {
            #[serde(rename = "SigninToken")]
            signin_token: String,
        }
        let token: Token = res.json().await.map_err(|e| upstream("getSigninToken answer", e))?;
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("Action", "login")
            .append_pair("Issuer", "customer-central")
            .append_pair("Destination", destination)
            .append_pair("SigninToken", &token.signin_token)
            .finish();
        Ok(format!("{base}/federation?{query}"))
    }
}
