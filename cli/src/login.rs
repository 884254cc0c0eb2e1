//! `cc login`: the OAuth 2.0 device authorization grant (RFC 8628) against the configured issuer,
//! like the AWS CLI's `sso login`: show a code and a link, poll the token endpoint, cache the
//! tokens (0600). `cc login --dev` signs a token with the local server's secret instead.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, bail};
use cc_domain::config::Config;
use cc_domain::identity::Role;
use serde::Deserialize;

use crate::client::{DevSecret, Login};

/// How long a `cc login --dev` token lasts.
const DEV_TTL: Duration = Duration::from_secs(12 * 3600);

/// `cc login --dev`: a token signed with the secret the local server verifies with, the
/// configured `CC_JWT_SECRET`, else the one `cc serve` generated in the data directory. It never
/// generates one: a token signed with a secret no server uses would only earn 401s.
pub fn dev(config: &Config, email: &str, roles: &BTreeSet<Role>, api_url: Option<String>) -> anyhow::Result<Login> {
    let (secret, source) = match &config.auth.jwt_secret {
        Some(s) => (s.clone(), DevSecret::Env),
        None => {
            let dir = config
                .data_dir
                .canonicalize()
                .or_else(|_| std::path::absolute(&config.data_dir))
                .unwrap_or_else(|_| config.data_dir.clone());
            let Some(secret) = cc_adapters::files::existing_dev_secret(&dir) else {
                bail!(
                    "no dev secret in {} ({}): no `cc serve` has used this data directory.\n\
                     Run `cc login --dev --data-dir DIR` with the DIR `cc serve` uses (or set CC_DATA_DIR; \
                     the default is .cc-data in the current directory), or start `cc serve` first.",
                    dir.display(),
                    cc_adapters::files::DEV_SECRET_FILE
                );
            };
            (secret, DevSecret::DataDir(dir))
        }
    };
    let token = cc_http::mint_dev_token(&secret, &config.auth, email, roles, DEV_TTL)?;
    let login = Login {
        api_url,
        access_token: token,
        refresh_token: None,
        expires_at: expires_at(Some(DEV_TTL.as_secs() as i64)),
        token_endpoint: None,
        client_id: None,
        dev: Some(source),
    };
    login.save()?;
    Ok(login)
}

#[derive(Deserialize)]
struct Discovery {
    device_authorization_endpoint: String,
    token_endpoint: String,
}

#[derive(Deserialize)]
struct DeviceAuthorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: Option<u64>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<i64>,
    error: Option<String>,
    error_description: Option<String>,
}

fn expires_at(expires_in: Option<i64>) -> Option<i64> {
    expires_in.map(|s| time::OffsetDateTime::now_utc().unix_timestamp() + s)
}

/// Runs the device flow; `say` receives what the person must do. Returns the cached login.
pub async fn device_flow(
    issuer: &str,
    client_id: &str,
    scope: &str,
    api_url: Option<String>,
    say: impl Fn(&str),
) -> anyhow::Result<Login> {
    let http = cc_tls::reqwest_client()?;
    let discovery_url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let discovery: Discovery = http
        .get(&discovery_url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .with_context(|| format!("discovering {discovery_url}"))?
        .json()
        .await
        .context("the issuer's discovery document has no device_authorization_endpoint")?;
    let auth: DeviceAuthorization = http
        .post(&discovery.device_authorization_endpoint)
        .form(&[("client_id", client_id), ("scope", scope)])
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .context("starting the device authorization")?
        .json()
        .await?;
    let link = auth
        .verification_uri_complete
        .clone()
        .unwrap_or_else(|| auth.verification_uri.clone());
    say(&format!(
        "To sign in, open {link}\nand confirm the code {} (valid {} minutes).",
        auth.user_code,
        auth.expires_in / 60
    ));
    let mut interval = Duration::from_secs(auth.interval.unwrap_or(5).max(1));
    let deadline = std::time::Instant::now() + Duration::from_secs(auth.expires_in);
    loop {
        if std::time::Instant::now() >= deadline {
            bail!("the code expired before sign-in was confirmed; run `cc login` again");
        }
        tokio::time::sleep(interval).await;
        let answer: TokenAnswer = http
            .post(&discovery.token_endpoint)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", auth.device_code.as_str()),
                ("client_id", client_id),
            ])
            .send()
            .await
            .context("polling the token endpoint")?
            .json()
            .await
            .context("the token endpoint's answer is not JSON")?;
        match (answer.access_token, answer.error.as_deref()) {
            (Some(access_token), _) => {
                let login = Login {
                    api_url,
                    access_token,
                    refresh_token: answer.refresh_token,
                    expires_at: expires_at(answer.expires_in),
                    token_endpoint: Some(discovery.token_endpoint),
                    client_id: Some(client_id.to_string()),
                    dev: None,
                };
                login.save()?;
                return Ok(login);
            }
            (None, Some("authorization_pending")) => {}
            (None, Some("slow_down")) => interval += Duration::from_secs(5),
            (None, Some("access_denied")) => bail!("sign-in was denied"),
            (None, Some("expired_token")) => bail!("the code expired; run `cc login` again"),
            (None, other) => bail!(
                "sign-in failed: {} {}",
                other.unwrap_or("no token"),
                answer.error_description.unwrap_or_default()
            ),
        }
    }
}

/// Uses the refresh token of an expired login; the refreshed login is cached.
pub async fn refresh(login: &Login) -> anyhow::Result<Login> {
    let (Some(refresh), Some(endpoint), Some(client_id)) =
        (&login.refresh_token, &login.token_endpoint, &login.client_id)
    else {
        if login.dev.is_some() {
            bail!("your dev sign-in has expired: run `cc login --dev` again");
        }
        bail!("your sign-in has expired: run `cc login`");
    };
    let answer: TokenAnswer = cc_tls::reqwest_client()?
        .post(endpoint)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", client_id.as_str()),
        ])
        .send()
        .await
        .context("refreshing the sign-in")?
        .json()
        .await?;
    let Some(access_token) = answer.access_token else {
        bail!("your sign-in has expired and could not be refreshed: run `cc login`");
    };
    let fresh = Login {
        access_token,
        refresh_token: answer.refresh_token.or_else(|| login.refresh_token.clone()),
        expires_at: expires_at(answer.expires_in),
        ..login.clone()
    };
    fresh.save()?;
    Ok(fresh)
}
