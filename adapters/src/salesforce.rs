//! Contracts from Salesforce: the [`ContractSource`] of record (DOMAIN.md "Utilisation").
//!
//! Why it is built this way:
//! - **OAuth 2 client credentials** (`POST {login_url}/services/oauth2/token`): a sync runs
//!   unattended, as the integration user of a connected app; no person's refresh token is kept.
//!   Salesforce accepts this flow only at the org's My Domain (`https://acme.my.salesforce.com`),
//!   so that is the `login_url`. The answer names the `instance_url` the API is called on.
//!   The token is cached; Salesforce gives no expiry for it (the session times out by the org's
//!   policy), so a `401 INVALID_SESSION_ID` is the signal to fetch a new one, once per request.
//! - **One SOQL query, built from the field mapping** (`GET .../query?q=SELECT ...`), paged by
//!   `nextRecordsUrl` until `done`. Orgs name their custom fields differently, so which field is
//!   the contract number, the customer's hub code, the hours, is configuration
//!   ([`SalesforceFields`]); dotted names (`Account.Customer_Code__c`) read relationship fields,
//!   which Salesforce returns as nested objects (`null` when empty).
//! - **A bad record is rejected, not fatal**: a contract whose number, customer code, dates or
//!   hours cannot be read is reported with its Salesforce `Id` and the field, and the others are
//!   kept (the port's rule).
//! - **Throttling** (429 / 503 with `Retry-After`) is waited out within [`RetryPolicy`]; the org's
//!   daily allowance used up (`403 REQUEST_LIMIT_EXCEEDED`) is an error that says so at once.
//!
//! Errors are [`SourceError`]s inside [`cc_domain::Error::Internal`]; none carries the client
//! secret or a token.

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;
use time::Date;
use tokio::sync::Mutex;

use cc_domain::error::{Error, Result};
use cc_domain::ids::{ContractId, CustomerCode};
use cc_domain::utilisation::Contract;
use cc_domain::utilisation::ports::{ContractBatch, ContractSource, Rejected};

use crate::http_source::{self, RetryPolicy, SourceError};

const SOURCE: &str = "Salesforce";

/// Which Salesforce field holds each part of a [`Contract`]. Field names are API names; a dotted
/// name reads a relationship (`Account.Customer_Code__c`). Every field has a default (below), so a
/// configuration names only what its org does differently.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default)]
pub struct SalesforceFields {
    /// The contract's number: a [`ContractId`]. Default `ContractNumber`.
    pub contract: String,
    /// The hub customer code of the contract's customer: a [`CustomerCode`].
    /// Default `Account.Customer_Code__c`.
    pub customer: String,
    /// First day covered, `YYYY-MM-DD`. Default `StartDate`.
    pub start: String,
    /// Last day covered, `YYYY-MM-DD`. Default `EndDate`.
    pub end: String,
    /// Hours over the whole period (a number). Default `Entitled_Hours__c`.
    pub entitled_hours: String,
    /// Hours a month (a number, or empty); `None`: the org keeps no such field.
    /// Default `Monthly_Hours__c`.
    pub monthly_allocation: Option<String>,
    /// The contract's status as Salesforce says it. Default `Status`.
    pub status: String,
    /// What the contract is called. Default `Description`.
    pub name: String,
}

impl Default for SalesforceFields {
    fn default() -> Self {
        SalesforceFields {
            contract: "ContractNumber".into(),
            customer: "Account.Customer_Code__c".into(),
            start: "StartDate".into(),
            end: "EndDate".into(),
            entitled_hours: "Entitled_Hours__c".into(),
            monthly_allocation: Some("Monthly_Hours__c".into()),
            status: "Status".into(),
            name: "Description".into(),
        }
    }
}

impl SalesforceFields {
    /// Every configured field, as (what it is for, API name).
    fn all(&self) -> Vec<(&'static str, &str)> {
        let mut v = vec![
            ("contract", self.contract.as_str()),
            ("customer", self.customer.as_str()),
            ("start", self.start.as_str()),
            ("end", self.end.as_str()),
            ("entitled_hours", self.entitled_hours.as_str()),
            ("status", self.status.as_str()),
            ("name", self.name.as_str()),
        ];
        if let Some(m) = &self.monthly_allocation {
            v.push(("monthly_allocation", m.as_str()));
        }
        v
    }

    /// The Salesforce field a [`Contract`] field comes from (for messages).
    fn source_of<'a>(&'a self, contract_field: &'a str) -> &'a str {
        match contract_field {
            "end" => &self.end,
            "start" => &self.start,
            "entitled_hours" => &self.entitled_hours,
            "monthly_allocation" => self.monthly_allocation.as_deref().unwrap_or(contract_field),
            other => other,
        }
    }
}

/// How to reach the org and read its contracts. As JSON (e.g. a secret's value):
///
/// ```json
/// {"login_url": "https://acme.my.salesforce.com", "client_id": "3MVG...", "client_secret": "...",
///  "fields": {"customer": "Account.Hub_Code__c", "monthly_allocation": null},
///  "where": "Status = 'Activated'"}
/// ```
/// Everything but the URL and the client credentials has a default.
#[derive(Clone, Deserialize)]
pub struct SalesforceConfig {
    /// The org's My Domain URL, where the token is asked for (`https://acme.my.salesforce.com`).
    pub login_url: String,
    /// The connected app's consumer key.
    pub client_id: String,
    /// The connected app's consumer secret (never logged nor put in a message).
    pub client_secret: String,
    /// REST API version, without the `v`. Default `60.0`.
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// The object queried. Default `Contract`.
    #[serde(default = "default_object")]
    pub object: String,
    #[serde(default)]
    pub fields: SalesforceFields,
    /// A SOQL condition appended as `WHERE ...` (e.g. `Status = 'Activated'`); none: every record.
    #[serde(default, rename = "where")]
    pub where_clause: Option<String>,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// The longest one HTTP request may take, in seconds. Default 30.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_api_version() -> String {
    "60.0".into()
}
fn default_object() -> String {
    "Contract".into()
}
fn default_timeout_secs() -> u64 {
    30
}

impl fmt::Debug for SalesforceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SalesforceConfig")
            .field("login_url", &self.login_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("api_version", &self.api_version)
            .field("object", &self.object)
            .field("fields", &self.fields)
            .field("where_clause", &self.where_clause)
            .field("retry", &self.retry)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

impl SalesforceConfig {
    /// A configuration with the default mapping, API version and retries.
    pub fn new(login_url: impl Into<String>, client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        SalesforceConfig {
            login_url: login_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            api_version: default_api_version(),
            object: default_object(),
            fields: SalesforceFields::default(),
            where_clause: None,
            retry: RetryPolicy::default(),
            timeout_secs: default_timeout_secs(),
        }
    }

    /// The query the mapping asks for:
    /// `SELECT Id, ContractNumber, Account.Customer_Code__c, ... FROM Contract [WHERE ...]`
    /// (each field once, in the mapping's order).
    pub fn soql(&self) -> String {
        let mut seen = BTreeSet::from(["Id"]);
        let mut fields = vec!["Id"];
        for (_, f) in self.fields.all() {
            if seen.insert(f) {
                fields.push(f);
            }
        }
        let mut q = format!("SELECT {} FROM {}", fields.join(", "), self.object);
        if let Some(w) = self.where_clause.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
            q.push_str(" WHERE ");
            q.push_str(w);
        }
        q
    }

    /// Checks what would otherwise fail on every sync: the URL, the version and the field names
    /// (API names: letters, digits, `_`, and `.` between relationship names).
    fn check(&self) -> Result<()> {
        match url::Url::parse(&self.login_url) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => {}
            _ => {
                return Err(Error::validation(
                    "salesforce.login_url",
                    format!("'{}' is not an https:// URL", self.login_url),
                ));
            }
        }
        if self.client_id.trim().is_empty() || self.client_secret.trim().is_empty() {
            return Err(Error::validation(
                "salesforce.client_id",
                "Salesforce needs the connected app's client id and client secret",
            ));
        }
        if self.api_version.is_empty() || !self.api_version.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(Error::validation(
                "salesforce.api_version",
                format!("'{}' is not an API version like 60.0", self.api_version),
            ));
        }
        let is_name = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|part| {
                    !part.is_empty()
                        && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        && part.as_bytes()[0].is_ascii_alphabetic()
                })
        };
        if !is_name(&self.object) || self.object.contains('.') {
            return Err(Error::validation(
                "salesforce.object",
                format!("'{}' is not an object API name", self.object),
            ));
        }
        for (what, name) in self.fields.all() {
            if !is_name(name) {
                return Err(Error::validation(
                    format!("salesforce.fields.{what}"),
                    format!("'{name}' is not a field API name (like StartDate or Account.Customer_Code__c)"),
                ));
            }
        }
        Ok(())
    }
}

/// A token and where to use it.
#[derive(Clone, PartialEq, Deserialize)]
struct Token {
    access_token: String,
    instance_url: String,
}

/// The [`ContractSource`] reading Salesforce's REST API. Build once (it holds the HTTP client and
/// the cached token) and share.
pub struct SalesforceContracts {
    config: SalesforceConfig,
    http: reqwest::Client,
    token: Mutex<Option<Token>>,
}

impl SalesforceContracts {
    /// Checks the configuration (URL, API version, field names: a validation error names the
    /// bad setting) and builds the client. No request is made until the first sync.
    pub fn new(config: SalesforceConfig) -> Result<Self> {
        config.check()?;
        let http = cc_tls::reqwest_builder()
            .map_err(|e| Error::Internal(anyhow::anyhow!("building the Salesforce HTTP client: {e}")))?
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .build()
            .map_err(|e| Error::Internal(anyhow::anyhow!("building the Salesforce HTTP client: {e}")))?;
        Ok(SalesforceContracts {
            config,
            http,
            token: Mutex::new(None),
        })
    }

    /// The cached token, or a new one.
    async fn token(&self, requests: &mut u32) -> Result<Token, SourceError> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref() {
            return Ok(t.clone());
        }
        let t = self.fetch_token(requests).await?;
        *cached = Some(t.clone());
        Ok(t)
    }

    /// A new token, replacing `stale` in the cache (unless another caller already replaced it).
    async fn renew(&self, stale: &Token, requests: &mut u32) -> Result<Token, SourceError> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref().filter(|t| *t != stale) {
            return Ok(t.clone());
        }
        *cached = None;
        let t = self.fetch_token(requests).await?;
        *cached = Some(t.clone());
        Ok(t)
    }

    /// `POST {login_url}/services/oauth2/token` with the client credentials.
    async fn fetch_token(&self, requests: &mut u32) -> Result<Token, SourceError> {
        let what = "fetching an access token";
        let url = format!("{}/services/oauth2/token", self.config.login_url.trim_end_matches('/'));
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.config.client_id.as_str()),
            ("client_secret", self.config.client_secret.as_str()),
        ];
        let res = http_source::send(
            || self.http.post(&url).form(&form),
            &self.config.retry,
            requests,
            SOURCE,
            what,
        )
        .await?;
        let status = res.status().as_u16();
        if status == 200 {
            return http_source::json(res, SOURCE, what).await;
        }
        // `{"error":"invalid_client","error_description":"invalid client credentials"}`
        let detail = oauth_error(&http_source::error_text(res).await);
        if matches!(status, 400 | 401 | 403) {
            Err(SourceError::Credentials {
                source_name: SOURCE,
                what: what.into(),
                detail,
            })
        } else {
            Err(SourceError::Http {
                source_name: SOURCE,
                what: what.into(),
                status,
                detail,
            })
        }
    }

    /// `GET {instance_url}{path_and_query}` with the token; on a 401, once more with a new token.
    async fn get(&self, path_and_query: &str, what: &str, requests: &mut u32) -> Result<Page, SourceError> {
        let mut token = self.token(requests).await?;
        let mut renewed = false;
        loop {
            let url = format!("{}{}", token.instance_url.trim_end_matches('/'), path_and_query);
            let res = http_source::send(
                || self.http.get(&url).bearer_auth(&token.access_token),
                &self.config.retry,
                requests,
                SOURCE,
                what,
            )
            .await?;
            let status = res.status().as_u16();
            match status {
                200 => return http_source::json(res, SOURCE, what).await,
                401 if !renewed => {
                    tracing::info!(source = SOURCE, "session expired or invalid; renewing the access token");
                    token = self.renew(&token, requests).await?;
                    renewed = true;
                }
                _ => {
                    let body = http_source::error_text(res).await;
                    let (code, message) = api_error(&body);
                    let detail = match (&code, &message) {
                        (Some(c), Some(m)) => format!("{c}: {m}"),
                        (Some(c), None) => c.clone(),
                        _ => body,
                    };
                    return Err(match (status, code.as_deref()) {
                        (401, _) => SourceError::Credentials {
                            source_name: SOURCE,
                            what: format!("{what} (with a token renewed just before)"),
                            detail,
                        },
                        (403, Some("REQUEST_LIMIT_EXCEEDED")) => SourceError::RequestLimitExceeded {
                            source_name: SOURCE,
                            what: what.into(),
                        },
                        _ => SourceError::Http {
                            source_name: SOURCE,
                            what: what.into(),
                            status,
                            detail,
                        },
                    });
                }
            }
        }
    }

    /// Reads one record into a contract, or says which field is wrong.
    fn contract(&self, record: &Value) -> Result<Contract, String> {
        let f = &self.config.fields;
        let id = text(record, &f.contract)?
            .ok_or_else(|| format!("{}: missing", f.contract))
            .and_then(|s| ContractId::parse(s).map_err(|e| format!("{}: {e}", f.contract)))?;
        let customer = text(record, &f.customer)?
            .ok_or_else(|| format!("{}: missing (the hub customer code)", f.customer))
            .and_then(|s| CustomerCode::parse(s).map_err(|e| format!("{}: {e}", f.customer)))?;
        let start = day(record, &f.start)?;
        let end = day(record, &f.end)?;
        let entitled_hours =
            number(record, &f.entitled_hours)?.ok_or_else(|| format!("{}: missing", f.entitled_hours))?;
        let monthly_allocation = match &f.monthly_allocation {
            Some(field) => number(record, field)?,
            None => None,
        };
        let contract = Contract {
            id,
            customer,
            name: text(record, &f.name)?.unwrap_or_default(),
            start,
            end,
            entitled_hours,
            monthly_allocation,
            status: text(record, &f.status)?.unwrap_or_default(),
        };
        contract.validate().map_err(|e| match e {
            Error::Validation {
                field: Some(field),
                message,
            } => format!("{}: {message}", f.source_of(&field)),
            other => other.to_string(),
        })?;
        Ok(contract)
    }
}

/// One page of a query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    done: bool,
    #[serde(default)]
    next_records_url: Option<String>,
    records: Vec<Value>,
}

#[async_trait]
impl ContractSource for SalesforceContracts {
    /// Every record the query finds (all pages). A record that cannot be read is a [`Rejected`]
    /// with its Salesforce `Id` (or `#n`, its position, when it has none). Errors: the token
    /// refused, a 401 again after renewing it, the request limit exceeded, throttled after every
    /// retry, an unreachable org or an answer not shaped like a query result ([`SourceError`]).
    async fn contracts(&self) -> Result<ContractBatch> {
        let mut batch = ContractBatch::default();
        let soql = self.config.soql();
        let mut next = Some(format!(
            "/services/data/v{}/query?{}",
            self.config.api_version,
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &soql)
                .finish()
        ));
        let mut position = 0usize;
        let mut pages = 0u32;
        while let Some(path) = next.take() {
            pages += 1;
            let page = self
                .get(
                    &path,
                    &format!("querying contracts (page {pages})"),
                    &mut batch.requests,
                )
                .await
                .map_err(|e| {
                    // The count of requests is lost with the error; the log keeps it.
                    tracing::warn!(source = SOURCE, requests = batch.requests, "{e}");
                    e
                })?;
            for record in &page.records {
                position += 1;
                let id = record
                    .get("Id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("#{position}"));
                match self.contract(record) {
                    Ok(c) => batch.contracts.push(c),
                    Err(reason) => {
                        tracing::warn!(source = SOURCE, id, reason, "contract rejected");
                        batch.rejected.push(Rejected { id, reason });
                    }
                }
            }
            if !page.done {
                match page.next_records_url {
                    Some(link) => next = Some(http_source::path_and_query(&link)),
                    None => {
                        return Err(SourceError::BadResponse {
                            source_name: SOURCE,
                            what: "querying contracts".into(),
                            detail: "a page that is not the last has no nextRecordsUrl".into(),
                        }
                        .into());
                    }
                }
            }
        }
        tracing::info!(
            source = SOURCE,
            contracts = batch.contracts.len(),
            rejected = batch.rejected.len(),
            requests = batch.requests,
            "contracts read"
        );
        Ok(batch)
    }
}

/// The value at a dotted path; `None` for a missing or `null` value on the way.
fn at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = record;
    for part in path.split('.') {
        v = v.get(part)?;
    }
    (!v.is_null()).then_some(v)
}

/// A text field (`None`: empty). A number is taken as its text (an auto-number read as a number).
fn text(record: &Value, field: &str) -> Result<Option<String>, String> {
    match at(record, field) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("{field}: not text (got {})", kind(other))),
    }
}

/// A date field, `YYYY-MM-DD`; required.
fn day(record: &Value, field: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match at(record, field) {
        None => Err(format!("{field}: missing")),
        Some(Value::String(s)) => {
            Date::parse(s.trim(), &format).map_err(|_| format!("{field}: '{s}' is not a date (YYYY-MM-DD)"))
        }
        Some(other) => Err(format!("{field}: not a date (got {})", kind(other))),
    }
}

/// A number of hours (`None`: empty). A numeric text is read as its number (formula fields).
fn number(record: &Value, field: &str) -> Result<Option<f64>, String> {
    match at(record, field) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_f64().map(Some).ok_or_else(|| format!("{field}: not a number")),
        Some(Value::String(s)) => match s.trim().parse::<f64>() {
            Ok(h) if h.is_finite() => Ok(Some(h)),
            _ => Err(format!("{field}: '{s}' is not a number")),
        },
        Some(other) => Err(format!("{field}: not a number (got {})", kind(other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `error: error_description` of an OAuth error answer, or its body.
fn oauth_error(body: &str) -> String {
    #[derive(Deserialize)]
    struct OAuthError {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    match serde_json::from_str::<OAuthError>(body) {
        Ok(OAuthError {
            error,
            error_description: Some(d),
        }) => format!("{error}: {d}"),
        Ok(OAuthError { error, .. }) => error,
        Err(_) => body.to_string(),
    }
}

/// The first `errorCode` and `message` of a REST API error answer
/// (`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`).
fn api_error(body: &str) -> (Option<String>, Option<String>) {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ApiError {
        #[serde(default)]
        error_code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    }
    match serde_json::from_str::<Vec<ApiError>>(body) {
        Ok(errors) => match errors.into_iter().next() {
            Some(e) => (e.error_code, e.message),
            None => (None, None),
        },
        Err(_) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn source() -> SalesforceContracts {
        SalesforceContracts::new(SalesforceConfig::new("https://acme.my.salesforce.com", "id", "secret")).unwrap()
    }

    fn record() -> Value {
        json!({
            "attributes": {"type": "Contract", "url": "/services/data/v60.0/sobjects/Contract/800A"},
            "Id": "800A",
            "ContractNumber": "00000100",
            "Account": {"attributes": {"type": "Account"}, "Customer_Code__c": "ACME-Retail"},
            "StartDate": "2026-01-01",
            "EndDate": "2026-12-31",
            "Entitled_Hours__c": 240.0,
            "Monthly_Hours__c": null,
            "Status": "Activated",
            "Description": null
        })
    }

    #[test]
    fn the_query_is_built_from_the_mapping_with_each_field_once() {
        let mut c = SalesforceConfig::new("https://x.my.salesforce.com", "id", "secret");
        assert_eq!(
            c.soql(),
            "SELECT Id, ContractNumber, Account.Customer_Code__c, StartDate, EndDate, Entitled_Hours__c, Status, Description, Monthly_Hours__c FROM Contract"
        );
        c.fields.name = "ContractNumber".into();
        c.fields.monthly_allocation = None;
        c.where_clause = Some("Status = 'Activated'".into());
        assert_eq!(
            c.soql(),
            "SELECT Id, ContractNumber, Account.Customer_Code__c, StartDate, EndDate, Entitled_Hours__c, Status FROM Contract WHERE Status = 'Activated'"
        );
    }

    #[test]
    fn the_mapping_has_defaults_and_takes_partial_configuration() {
        let c: SalesforceConfig = serde_json::from_value(json!({
            "login_url": "https://x.my.salesforce.com",
            "client_id": "id",
            "client_secret": "secret",
            "fields": {"customer": "Account.Hub_Code__c", "monthly_allocation": null},
            "retry": {"max_retries": 1, "max_wait": 2}
        }))
        .unwrap();
        assert_eq!(c.fields.customer, "Account.Hub_Code__c");
        assert_eq!(c.fields.contract, "ContractNumber");
        assert_eq!(c.fields.monthly_allocation, None);
        assert_eq!(c.retry.max_retries, 1);
        assert_eq!(c.retry.max_wait, Duration::from_secs(2));
        assert_eq!(c.retry.default_wait, RetryPolicy::default().default_wait);
        assert!(!format!("{c:?}").contains("secret\""), "the secret is redacted");
    }

    #[test]
    fn a_field_name_that_could_change_the_query_is_refused() {
        let mut c = SalesforceConfig::new("https://x.my.salesforce.com", "id", "secret");
        c.fields.status = "Status FROM User --".into();
        let err = SalesforceContracts::new(c).err().unwrap();
        assert!(err.to_string().contains("not a field API name"), "{err}");
    }

    #[test]
    fn a_record_is_read_through_nested_relationship_fields() {
        let c = source().contract(&record()).unwrap();
        assert_eq!(c.id.as_str(), "00000100");
        assert_eq!(c.customer.as_str(), "acme-retail");
        assert_eq!(c.entitled_hours, 240.0);
        assert_eq!(c.monthly_allocation, None);
        assert_eq!(c.name, "");
        assert_eq!(c.status, "Activated");
    }

    #[test]
    fn a_bad_record_names_the_field() {
        let s = source();
        let cases: [(&str, Value, &str); 7] = [
            ("ContractNumber", Value::Null, "ContractNumber: missing"),
            (
                "ContractNumber",
                json!("00 100"),
                "ContractNumber: not a valid contract number",
            ),
            (
                "Account",
                json!({"Customer_Code__c": "-bad-"}),
                "Account.Customer_Code__c: not a valid customer code",
            ),
            ("Account", Value::Null, "Account.Customer_Code__c: missing"),
            (
                "StartDate",
                json!("01/02/2026"),
                "StartDate: '01/02/2026' is not a date",
            ),
            (
                "Entitled_Hours__c",
                json!("lots"),
                "Entitled_Hours__c: 'lots' is not a number",
            ),
            (
                "EndDate",
                json!("2025-12-31"),
                "EndDate: contract 00000100: end 2025-12-31 is before start",
            ),
        ];
        for (field, value, want) in cases {
            let mut r = record();
            r[field] = value;
            let got = s.contract(&r).unwrap_err();
            assert!(got.starts_with(want), "{field}: {got}");
        }
        let mut r = record();
        r["Monthly_Hours__c"] = json!(-5);
        let got = s.contract(&r).unwrap_err();
        assert!(got.starts_with("Monthly_Hours__c:"), "{got}");
    }
}
