//! The CLI's view of the API: where it is, who we are (a token from `CC_TOKEN` or the login
//! cache, refreshed when it can be), and JSON calls whose errors read like the API's messages.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// Where the CLI keeps its login (`$CC_CONFIG_DIR`, else the platform's config directory).
pub fn config_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("CC_CONFIG_DIR")
        && !dir.is_empty()
    {
        return Ok(PathBuf::from(dir));
    }
    Ok(dirs::config_dir()
        .context("no config directory on this system; set CC_CONFIG_DIR")?
        .join("customer-central"))
}

/// The cached login (0600).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Login {
    pub api_url: Option<String>,
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    pub token_endpoint: Option<String>,
    pub client_id: Option<String>,
    /// `cc login --dev`: where the secret that signed the token came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<DevSecret>,
}

/// The secret a dev token was signed with; only a server verifying with the same one accepts it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DevSecret {
    /// The dev secret `cc serve` generated in this data directory (absolute).
    DataDir(PathBuf),
    /// `CC_JWT_SECRET`.
    Env,
}

/// A token signed with a local secret (HS256), which a server using another secret answers 401.
enum DevToken {
    /// The cached `cc login --dev` (older caches do not say which secret).
    Login(Option<DevSecret>),
    /// `CC_TOKEN`, e.g. from `cc token`.
    Env,
}

impl DevToken {
    /// What to do when the server at `base` refuses the token.
    fn hint(&self, base: &str) -> String {
        let fix = "run `cc login --dev --data-dir DIR` with the DIR `cc serve` uses (or set CC_DATA_DIR)";
        match self {
            DevToken::Login(Some(DevSecret::DataDir(dir))) => format!(
                "the dev token was signed with the secret in {}; the server at {base} may use another data \
                 directory's: {fix}",
                dir.display()
            ),
            DevToken::Login(Some(DevSecret::Env)) => format!(
                "the dev token was signed with CC_JWT_SECRET; the server at {base} may use another secret: \
                 run `cc login --dev` with the CC_JWT_SECRET or data directory `cc serve` uses"
            ),
            DevToken::Login(None) => {
                format!("the dev token may have been signed with another secret than the server's at {base}: {fix}")
            }
            DevToken::Env => format!(
                "CC_TOKEN is a dev token that may have been signed with another secret than the server's at \
                 {base}: mint it with `cc token --data-dir DIR` with the DIR `cc serve` uses (or unset CC_TOKEN \
                 and run `cc login --dev --data-dir DIR`)"
            ),
        }
    }
}

/// Dev tokens are HS256 (`cc_http::mint_dev_token`); identity providers' tokens are verified
/// against their JWKS, with asymmetric keys.
fn locally_signed(token: &str) -> bool {
    jsonwebtoken::decode_header(token).is_ok_and(|h| h.alg == jsonwebtoken::Algorithm::HS256)
}

impl Login {
    pub fn path() -> anyhow::Result<PathBuf> {
        Ok(config_dir()?.join("login.json"))
    }

    pub fn load() -> anyhow::Result<Option<Login>> {
        let path = Self::path()?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(
                serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))?,
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub fn save(&self) -> anyhow::Result<PathBuf> {
        let path = Self::path()?;
        std::fs::create_dir_all(path.parent().unwrap_or(&path))?;
        cc_adapters::files::write_private(&path, &serde_json::to_vec_pretty(self)?)?;
        Ok(path)
    }

    fn expired(&self) -> bool {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.expires_at.is_some_and(|e| e <= now + 30)
    }
}

pub struct Client {
    pub base: String,
    token: String,
    dev: Option<DevToken>,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct ApiErrorBody {
    error: ApiErrorDetail,
}
#[derive(Deserialize)]
struct ApiErrorDetail {
    message: String,
}

/// The API's base URL (`--api-url`, `CC_API_URL` or the login's), checked: an `http(s)` URL of the
/// server, not of its API path (`https://cc.example.com`, not `.../api/v1`: every command adds
/// `/api/v1/...` itself). Trailing slashes are dropped.
pub fn api_base(raw: &str) -> anyhow::Result<String> {
    let base = raw.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(base).map_err(|e| {
        anyhow::anyhow!("the API URL '{raw}' (--api-url or CC_API_URL) is not a URL ({e}): give the server's, e.g. https://cc.example.com or http://127.0.0.1:8080")
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        bail!(
            "the API URL '{raw}' (--api-url or CC_API_URL) must be an http or https URL of the server, e.g. https://cc.example.com"
        );
    }
    if url.path().trim_end_matches('/').ends_with("/api/v1") || url.path().contains("/api/v1/") {
        bail!(
            "the API URL '{raw}' (--api-url or CC_API_URL) names the API's path: give the server's URL without /api/v1 (e.g. {})",
            base.split("/api/v1").next().unwrap_or(base)
        );
    }
    Ok(base.to_string())
}

impl Client {
    /// From `--api-url`/`CC_API_URL`, `CC_TOKEN` or the cached login (refreshed if expired).
    pub async fn from_env(api_url: Option<String>) -> anyhow::Result<Client> {
        let login = Login::load()?;
        let (token, dev) = match std::env::var("CC_TOKEN") {
            Ok(t) if !t.is_empty() => {
                let dev = locally_signed(&t).then_some(DevToken::Env);
                (t, dev)
            }
            _ => match &login {
                Some(l) if l.expired() => (crate::login::refresh(l).await?.access_token, None),
                Some(l) => {
                    let legacy_dev = l.token_endpoint.is_none() && locally_signed(&l.access_token);
                    let dev = (l.dev.is_some() || legacy_dev).then(|| DevToken::Login(l.dev.clone()));
                    (l.access_token.clone(), dev)
                }
                None => bail!("not signed in: run `cc login` (or set CC_TOKEN)"),
            },
        };
        let base = api_url
            .or_else(|| std::env::var("CC_API_URL").ok().filter(|u| !u.is_empty()))
            .or_else(|| login.and_then(|l| l.api_url))
            .unwrap_or_else(|| "http://127.0.0.1:8080".into());
        let base = api_base(&base)?;
        Ok(Client {
            base,
            token,
            dev,
            http: cc_tls::reqwest_client()?,
        })
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        let res = self.send_any(req).await?;
        if res.status().is_success() {
            return Ok(res);
        }
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        Err(self.failure(status, &text))
    }

    /// The request with the token, whatever status comes back (for callers that read an error's
    /// body themselves; [`Client::failure`] words the rest).
    async fn send_any(&self, req: reqwest::RequestBuilder) -> anyhow::Result<reqwest::Response> {
        req.bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("calling {}", self.base))
    }

    /// An error answer as the person reads it: the status and the API's message (with the dev
    /// token hint on a 401).
    pub fn failure(&self, status: reqwest::StatusCode, text: &str) -> anyhow::Error {
        let message = serde_json::from_str::<ApiErrorBody>(text)
            .map(|b| b.error.message)
            .unwrap_or_else(|_| text.to_string());
        match &self.dev {
            Some(dev) if status == reqwest::StatusCode::UNAUTHORIZED => {
                anyhow::anyhow!("{status}: {message}\n{}", dev.hint(&self.base))
            }
            _ => anyhow::anyhow!("{status}: {message}"),
        }
    }

    /// POSTs `body` as `content_type` and answers the status and the body's text, whatever the
    /// status (a bulk import's 400 carries the rows at fault).
    pub async fn post_body(
        &self,
        path: &str,
        query: &[(&str, String)],
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<(reqwest::StatusCode, String)> {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.base), query)?;
        let req = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        let res = self.send_any(req).await?;
        let status = res.status();
        Ok((status, res.text().await?))
    }

    pub async fn get_text(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<String> {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.base), query)?;
        Ok(self.send(self.http.get(url)).await?.text().await?)
    }

    /// The body as bytes (a PDF).
    pub async fn get_bytes(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Vec<u8>> {
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.base), query)?;
        Ok(self.send(self.http.get(url)).await?.bytes().await?.to_vec())
    }

    pub async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> anyhow::Result<T> {
        Ok(serde_json::from_str(&self.get_text(path, query).await?)?)
    }

    /// Every item of a paged list (`{"items": [...], "next_cursor": ...}`), page after page.
    pub async fn get_all(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Vec<serde_json::Value>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut q = query.to_vec();
            q.push(("limit", "200".into()));
            if let Some(c) = &cursor {
                q.push(("cursor", c.clone()));
            }
            let page: serde_json::Value = self.get_json(path, &q).await?;
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return Ok(items),
            }
        }
    }

    pub async fn post_text(&self, path: &str) -> anyhow::Result<String> {
        Ok(self
            .send(self.http.post(format!("{}{path}", self.base)))
            .await?
            .text()
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_url_is_the_server_s_and_a_bad_one_says_which_setting() {
        assert_eq!(api_base("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(
            api_base("https://cc.example.com/prefix").unwrap(),
            "https://cc.example.com/prefix"
        );
        for (bad, says) in [
            ("notaurl", "is not a URL"),
            ("ftp://x.example.com", "http or https"),
            (
                "http://127.0.0.1:8080/api/v1",
                "without /api/v1 (e.g. http://127.0.0.1:8080)",
            ),
            ("http://127.0.0.1:8080/api/v1/", "without /api/v1"),
        ] {
            let e = api_base(bad).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("CC_API_URL"), "{bad}: {e}");
        }
    }
}
