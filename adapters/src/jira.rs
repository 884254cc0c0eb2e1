//! Worklogs from JIRA Cloud (REST API v3): the [`TimesheetSource`] (DOMAIN.md "Utilisation").
//!
//! Why it is built this way:
//! - **Incremental, by JIRA's own change feeds**: `GET /rest/api/3/worklog/updated?since={ms}`
//!   and `.../worklog/deleted?since=` list the ids of worklogs changed since a time, paged by
//!   `nextPage` until `lastPage`. Their `until` is the next sync's `since`: JIRA leaves the last
//!   minute out of the feed, so an entry written while a sync runs is read by the next one.
//! - **Worklogs in bulk**: `POST /rest/api/3/worklog/list` with at most 1000 ids a call (JIRA's
//!   limit), instead of one request per issue.
//! - **Task codes from the issue**: a worklog carries only its `issueId`, so issue keys (and,
//!   when configured, a custom field the team uses as its task code) are read in batches with
//!   `POST /rest/api/3/search/jql` (`id in (...)`). An issue whose task code field is empty
//!   counts under its key, so the hours still reach the project's mapping.
//! - **A bad worklog is rejected, not fatal**: zero, negative or more than 24 hours, a task code
//!   that is not a code, an issue JIRA no longer shows; each is reported with the worklog's id
//!   (`jira:{id}`, as [`Worklog::id`]) and the others kept.
//! - **Paging links are followed on the configured host only**: `nextPage` is an absolute URL,
//!   and through Atlassian's OAuth gateway it names the site rather than the gateway; only its
//!   path and query are used, so the credentials never go elsewhere.
//! - **Auth** is basic (an account's e-mail and API token) or a bearer token (OAuth 2.0 through
//!   `https://api.atlassian.com/ex/jira/{cloud id}`), as configured ([`JiraAuth`]).
//! - **Throttling** (429 with `Retry-After`) is waited out within [`RetryPolicy`].
//!
//! Errors are [`SourceError`]s inside [`cc_domain::Error::Internal`]; none carries a token.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use cc_domain::error::{Error, Result};
use cc_domain::ids::TaskCode;
use cc_domain::utilisation::Worklog;
use cc_domain::utilisation::ports::{Rejected, TimesheetSource, WorklogChanges};

use crate::http_source::{self, RetryPolicy, SourceError};

const SOURCE: &str = "JIRA";

/// JIRA's limit of ids for one `worklog/list` call.
pub const MAX_LIST_IDS: usize = 1000;

/// How requests to JIRA authenticate.
#[derive(Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JiraAuth {
    /// `Authorization: Basic base64(email:api_token)`: an Atlassian account's API token.
    Basic { email: String, api_token: String },
    /// `Authorization: Bearer {token}`: an OAuth 2.0 access token.
    Bearer { token: String },
}

impl fmt::Debug for JiraAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JiraAuth::Basic { email, .. } => f
                .debug_struct("Basic")
                .field("email", email)
                .field("api_token", &"<redacted>")
                .finish(),
            JiraAuth::Bearer { .. } => f.debug_struct("Bearer").field("token", &"<redacted>").finish(),
        }
    }
}

/// How to reach the site and read its worklogs. As JSON (e.g. a secret's value):
///
/// ```json
/// {"base_url": "https://acme.atlassian.net",
///  "auth": {"kind": "basic", "email": "sync@acme.com", "api_token": "..."},
///  "task_code_field": "customfield_10050",
///  "retry": {"max_retries": 3, "max_wait": 30, "default_wait": 2}}
/// ```
/// or `"auth": {"kind": "bearer", "token": "..."}`; everything but `base_url` and `auth` has a
/// default.
#[derive(Clone, Debug, Deserialize)]
pub struct JiraConfig {
    /// The site (`https://acme.atlassian.net`), or for OAuth
    /// `https://api.atlassian.com/ex/jira/{cloud id}`.
    pub base_url: String,
    pub auth: JiraAuth,
    /// The issue field holding the task code (e.g. `customfield_10050`); none: the issue key.
    #[serde(default)]
    pub task_code_field: Option<String>,
    /// Ids per `worklog/list` call, at most [`MAX_LIST_IDS`] (the default).
    #[serde(default = "default_list_batch")]
    pub list_batch: usize,
    /// Issues per `search/jql` call (1-100). Default 100.
    #[serde(default = "default_issue_batch")]
    pub issue_batch: usize,
    #[serde(default)]
    pub retry: RetryPolicy,
    /// The longest one HTTP request may take, in seconds. Default 30.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_list_batch() -> usize {
    MAX_LIST_IDS
}
fn default_issue_batch() -> usize {
    100
}
fn default_timeout_secs() -> u64 {
    30
}

impl JiraConfig {
    /// A configuration with the issue key as task code and the default batches and retries.
    pub fn new(base_url: impl Into<String>, auth: JiraAuth) -> Self {
        JiraConfig {
            base_url: base_url.into(),
            auth,
            task_code_field: None,
            list_batch: default_list_batch(),
            issue_batch: default_issue_batch(),
            retry: RetryPolicy::default(),
            timeout_secs: default_timeout_secs(),
        }
    }
}

/// The [`TimesheetSource`] reading JIRA Cloud. Build once (it holds the HTTP client) and share.
pub struct JiraWorklogs {
    config: JiraConfig,
    base: String,
    http: reqwest::Client,
}

impl JiraWorklogs {
    /// Checks the configuration (a validation error names the bad setting) and builds the
    /// client. No request is made until the first sync.
    pub fn new(config: JiraConfig) -> Result<Self> {
        match url::Url::parse(&config.base_url) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host_str().is_some() => {}
            _ => {
                return Err(Error::validation(
                    "jira.base_url",
                    format!("'{}' is not an https:// URL", config.base_url),
                ));
            }
        }
        if let Some(f) = &config.task_code_field
            && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        {
            return Err(Error::validation(
                "jira.task_code_field",
                format!("'{f}' is not a field id like customfield_10050"),
            ));
        }
        if !(1..=MAX_LIST_IDS).contains(&config.list_batch) {
            return Err(Error::validation(
                "jira.list_batch",
                format!("must be 1-{MAX_LIST_IDS} (got {})", config.list_batch),
            ));
        }
        if !(1..=100).contains(&config.issue_batch) {
            return Err(Error::validation(
                "jira.issue_batch",
                format!("must be 1-100 (got {})", config.issue_batch),
            ));
        }
        let http = cc_tls::reqwest_builder()
            .map_err(|e| Error::Internal(anyhow::anyhow!("building the JIRA HTTP client: {e}")))?
            .timeout(Duration::from_secs(config.timeout_secs.max(1)))
            .build()
            .map_err(|e| Error::Internal(anyhow::anyhow!("building the JIRA HTTP client: {e}")))?;
        Ok(JiraWorklogs {
            base: config.base_url.trim_end_matches('/').to_string(),
            config,
            http,
        })
    }

    fn authed(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let rb = rb.header(reqwest::header::ACCEPT, "application/json");
        match &self.config.auth {
            JiraAuth::Basic { email, api_token } => rb.basic_auth(email, Some(api_token)),
            JiraAuth::Bearer { token } => rb.bearer_auth(token),
        }
    }

    /// Sends `GET` (no body) or `POST` (`body`) to `path_and_query` and reads the JSON answer.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        path_and_query: &str,
        body: Option<&Value>,
        what: &str,
        requests: &mut u32,
    ) -> Result<T, SourceError> {
        let url = format!("{}{}", self.base, path_and_query);
        let build = || match body {
            Some(b) => self.authed(self.http.post(&url)).json(b),
            None => self.authed(self.http.get(&url)),
        };
        let res = http_source::send(build, &self.config.retry, requests, SOURCE, what).await?;
        let status = res.status().as_u16();
        if status == 200 {
            return http_source::json(res, SOURCE, what).await;
        }
        let detail = jira_error(&http_source::error_text(res).await);
        Err(if status == 401 {
            SourceError::Credentials {
                source_name: SOURCE,
                what: what.into(),
                detail,
            }
        } else {
            SourceError::Http {
                source_name: SOURCE,
                what: what.into(),
                status,
                detail,
            }
        })
    }

    /// Every id of a change feed (`updated` or `deleted`) since `since_ms`, and its `until`.
    async fn feed(&self, kind: &str, since_ms: i64, requests: &mut u32) -> Result<(Vec<u64>, i64), SourceError> {
        let what = format!("reading the {kind} worklogs feed");
        let mut next = format!("/rest/api/3/worklog/{kind}?since={since_ms}");
        let mut ids = Vec::new();
        let mut seen_pages = BTreeSet::new();
        loop {
            let page: Feed = self.call(&next, None, &what, requests).await?;
            ids.extend(page.values.iter().map(|v| v.worklog_id));
            let until = page.until.unwrap_or(since_ms).max(since_ms);
            match page.next_page.filter(|_| !page.last_page) {
                Some(link) => {
                    seen_pages.insert(next);
                    next = api_path(&link);
                    if seen_pages.contains(&next) {
                        return Err(SourceError::BadResponse {
                            source_name: SOURCE,
                            what,
                            detail: "nextPage points back to a page already read".into(),
                        });
                    }
                }
                None => return Ok((ids, until)),
            }
        }
    }

    /// The worklogs of `ids`, [`JiraConfig::list_batch`] ids a call, each page read into
    /// [`Listed`] as it arrives (a comment's document becomes its text): a first sync lists a
    /// year of the team's worklogs, and JSON trees of all of them at once would need several
    /// times the memory. An entry that is not a worklog is rejected with its id.
    async fn list(&self, ids: &[u64], requests: &mut u32) -> Result<(Vec<Listed>, Vec<Rejected>), SourceError> {
        let (mut out, mut rejected) = (Vec::with_capacity(ids.len()), Vec::new());
        for chunk in ids.chunks(self.config.list_batch) {
            let page: Vec<Value> = self
                .call(
                    "/rest/api/3/worklog/list",
                    Some(&json!({ "ids": chunk })),
                    "reading worklogs",
                    requests,
                )
                .await?;
            for v in page {
                let id = match v.get("id") {
                    Some(Value::String(s)) => format!("jira:{s}"),
                    Some(Value::Number(n)) => format!("jira:{n}"),
                    _ => format!("#{}", out.len() + rejected.len() + 1),
                };
                match serde_json::from_value::<JiraWorklog>(v) {
                    Ok(w) => out.push(w.into()),
                    Err(e) => rejected.push(Rejected {
                        id,
                        reason: format!("not a worklog: {e}"),
                    }),
                }
            }
        }
        Ok((out, rejected))
    }

    /// The task code of each issue id (the configured field, else the key): `Ok(code)`, or why
    /// it has none. Ids JIRA does not return (not visible to the account) are absent.
    ///
    /// JQL refuses a whole query (400) when one of its ids names no issue (one deleted since
    /// its worklog was listed), so a refused batch is split in halves until the id it refuses is
    /// alone; that id gets JIRA's message as its reason. At most about twice as many requests as
    /// ids, and only when JIRA refuses.
    async fn issue_codes(
        &self,
        issue_ids: &BTreeSet<u64>,
        requests: &mut u32,
    ) -> Result<BTreeMap<u64, Result<TaskCode, String>>, SourceError> {
        let ids: Vec<u64> = issue_ids.iter().copied().collect();
        let mut out = BTreeMap::new();
        let mut pending: Vec<&[u64]> = ids.chunks(self.config.issue_batch).rev().collect();
        while let Some(part) = pending.pop() {
            match self.search(part, requests).await {
                Ok(issues) => {
                    for issue in issues {
                        if let Ok(id) = issue.id.parse::<u64>() {
                            out.insert(id, self.task_code(&issue));
                        }
                    }
                }
                Err(SourceError::Http { status: 400, .. }) if part.len() > 1 => {
                    let (first, second) = part.split_at(part.len() / 2);
                    pending.push(second);
                    pending.push(first);
                }
                Err(SourceError::Http {
                    status: 400, detail, ..
                }) => {
                    out.insert(part[0], Err(format!("issue {}: JIRA refused it: {detail}", part[0])));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The issues of `ids` (every page of `search/jql`), with the key and the task code field.
    async fn search(&self, ids: &[u64], requests: &mut u32) -> Result<Vec<Issue>, SourceError> {
        let mut fields = vec!["key".to_string()];
        fields.extend(self.config.task_code_field.iter().cloned());
        let jql = format!(
            "id in ({})",
            ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
        );
        let mut issues = Vec::with_capacity(ids.len());
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({ "jql": jql, "fields": fields, "maxResults": self.config.issue_batch });
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let page: Search = self
                .call("/rest/api/3/search/jql", Some(&body), "reading issues", requests)
                .await?;
            issues.extend(page.issues);
            match page.next_page_token.filter(|_| page.is_last != Some(true)) {
                Some(t) if token.as_ref() != Some(&t) => token = Some(t),
                _ => return Ok(issues),
            }
        }
    }

    fn task_code(&self, issue: &Issue) -> Result<TaskCode, String> {
        let from_field = match &self.config.task_code_field {
            Some(f) => match issue.fields.get(f) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => Some((f.as_str(), s.clone())),
                Some(Value::Number(n)) => Some((f.as_str(), n.to_string())),
                // A select list: `{"value": "ACME-1", "id": "10010"}`.
                Some(Value::Object(o)) => match o.get("value") {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some((f.as_str(), s.clone())),
                    _ => return Err(format!("{f} of {}: not a text or select value", issue.key)),
                },
                Some(_) => return Err(format!("{f} of {}: not a text or select value", issue.key)),
            },
            None => None,
        };
        let (field, code) = from_field.unwrap_or(("key", issue.key.clone()));
        TaskCode::parse(&code).map_err(|e| format!("task code from {field} of issue {}: {e}", issue.key))
    }

    /// One worklog of `worklog/list`, with its issue's task code.
    fn worklog(&self, w: &Listed, codes: &BTreeMap<u64, Result<TaskCode, String>>) -> Result<Worklog, String> {
        let issue = w
            .issue_id
            .parse::<u64>()
            .map_err(|_| format!("issueId: '{}' is not an issue id", w.issue_id))?;
        let task_code = match codes.get(&issue) {
            Some(Ok(c)) => c.clone(),
            Some(Err(why)) => return Err(why.clone()),
            None => {
                return Err(format!(
                    "issue {issue}: not found (deleted, or not visible to this account)"
                ));
            }
        };
        let started = w.started.as_deref().ok_or("started: missing")?;
        let day = parse_started(started)
            .map_err(|_| format!("started: '{started}' is not a time like 2021-01-17T12:34:00.000+0000"))?
            .date();
        let author = w.author.as_ref();
        let person = author
            .and_then(|a| a.email_address.as_deref().filter(|s| !s.is_empty()))
            .or_else(|| author.and_then(|a| a.display_name.as_deref().filter(|s| !s.is_empty())))
            .or_else(|| author.and_then(|a| a.account_id.as_deref().filter(|s| !s.is_empty())))
            .ok_or("author: no e-mail, name or account id")?
            .to_string();
        let seconds = w.time_spent_seconds.ok_or("timeSpentSeconds: missing")?;
        let log = Worklog {
            id: format!("jira:{}", w.id),
            day,
            person,
            task_code,
            hours: seconds as f64 / 3600.0,
            note: w.note.clone(),
        };
        // The hours here, with JIRA's field name; the domain's other checks (day, text) run on
        // every source's worklogs in the sync.
        if !(log.hours > 0.0 && log.hours <= cc_domain::utilisation::MAX_WORKLOG_HOURS) {
            return Err(format!(
                "timeSpentSeconds: {seconds} s is {} hours; must be more than 0 and at most {}",
                log.hours,
                cc_domain::utilisation::MAX_WORKLOG_HOURS
            ));
        }
        Ok(log)
    }
}

#[async_trait]
impl TimesheetSource for JiraWorklogs {
    /// Worklogs updated and deleted since `since` (all pages of both feeds). `until` is the
    /// earlier of the two feeds' `until`s, and never before `since`. A worklog that cannot be
    /// read is a [`Rejected`] with its id (`jira:{id}`). Errors: credentials refused, throttled
    /// after every retry, an unreachable site or an answer not in the documented shape
    /// ([`SourceError`]).
    async fn changes_since(&self, since: OffsetDateTime) -> Result<WorklogChanges> {
        let mut requests = 0;
        let result = self.read(since, &mut requests).await;
        if let Err(e) = &result {
            tracing::warn!(source = SOURCE, requests, "{e}");
        }
        result.map_err(Into::into)
    }
}

impl JiraWorklogs {
    async fn read(&self, since: OffsetDateTime, requests: &mut u32) -> Result<WorklogChanges, SourceError> {
        let since_ms = i64::try_from(since.unix_timestamp_nanos() / 1_000_000)
            .unwrap_or(0)
            .max(0);
        let (mut updated_ids, updated_until) = self.feed("updated", since_ms, requests).await?;
        updated_ids.sort_unstable();
        updated_ids.dedup();
        let (parsed, mut rejected) = if updated_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            self.list(&updated_ids, requests).await?
        };
        let issue_ids: BTreeSet<u64> = parsed.iter().filter_map(|w| w.issue_id.parse().ok()).collect();
        let codes = if issue_ids.is_empty() {
            BTreeMap::new()
        } else {
            self.issue_codes(&issue_ids, requests).await?
        };
        let mut updated = Vec::with_capacity(parsed.len());
        for w in &parsed {
            match self.worklog(w, &codes) {
                Ok(log) => updated.push(log),
                Err(reason) => {
                    let id = format!("jira:{}", w.id);
                    tracing::warn!(source = SOURCE, id, reason, "worklog rejected");
                    rejected.push(Rejected { id, reason });
                }
            }
        }

        let (deleted_ids, deleted_until) = self.feed("deleted", since_ms, requests).await?;
        let deleted = deleted_ids.into_iter().map(|id| format!("jira:{id}")).collect();
        let until_ms = updated_until.min(deleted_until);
        let until = OffsetDateTime::from_unix_timestamp_nanos(i128::from(until_ms) * 1_000_000).map_err(|_| {
            SourceError::BadResponse {
                source_name: SOURCE,
                what: "reading the worklogs feed".into(),
                detail: format!("until {until_ms} is not a time"),
            }
        })?;
        let changes = WorklogChanges {
            updated,
            deleted,
            rejected,
            until,
            requests: *requests,
        };
        tracing::info!(
            source = SOURCE,
            updated = changes.updated.len(),
            deleted = changes.deleted.len(),
            rejected = changes.rejected.len(),
            requests = changes.requests,
            "worklog changes read"
        );
        Ok(changes)
    }
}

/// A page of `worklog/updated` or `worklog/deleted`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Feed {
    values: Vec<FeedEntry>,
    #[serde(default)]
    until: Option<i64>,
    #[serde(default)]
    last_page: bool,
    #[serde(default)]
    next_page: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FeedEntry {
    worklog_id: u64,
}

/// A page of `search/jql`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Search {
    issues: Vec<Issue>,
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    is_last: Option<bool>,
}

#[derive(Deserialize)]
struct Issue {
    id: String,
    key: String,
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
}

/// One worklog of `worklog/list` (the fields read).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JiraWorklog {
    id: String,
    issue_id: String,
    #[serde(default)]
    author: Option<Author>,
    #[serde(default)]
    started: Option<String>,
    #[serde(default)]
    time_spent_seconds: Option<i64>,
    #[serde(default)]
    comment: Option<Value>,
}

/// A listed worklog as kept until its issue's task code is known: the comment as its text.
struct Listed {
    id: String,
    issue_id: String,
    author: Option<Author>,
    started: Option<String>,
    time_spent_seconds: Option<i64>,
    note: String,
}

impl From<JiraWorklog> for Listed {
    fn from(w: JiraWorklog) -> Self {
        Listed {
            note: w.comment.as_ref().map(adf_text).unwrap_or_default(),
            id: w.id,
            issue_id: w.issue_id,
            author: w.author,
            started: w.started,
            time_spent_seconds: w.time_spent_seconds,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Author {
    #[serde(default)]
    account_id: Option<String>,
    #[serde(default)]
    email_address: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

/// The API path of a paging link, from `/rest/` on, to be asked of the configured base: the link
/// may name the site (`https://acme.atlassian.net/rest/...`) or the OAuth gateway
/// (`https://api.atlassian.com/ex/jira/{cloud id}/rest/...`), whichever the base is.
fn api_path(link: &str) -> String {
    let pq = http_source::path_and_query(link);
    match pq.find("/rest/") {
        Some(i) => pq[i..].to_string(),
        None => pq,
    }
}

/// JIRA's `started`: `2021-01-17T12:34:00.000+0000` (offset without a colon), kept at its own
/// offset. A worklog counts on the calendar day of that local time, not of UTC: 08:00 on 3 March
/// in Sydney (`+1100`) is 21:00 on 2 March in UTC, but the work was done on the 3rd, and a month's
/// hours against its allocation must say so. JIRA Cloud writes `started` in the time zone of the
/// account that asks (the sync's API user), so that account's profile time zone should be the
/// team's.
fn parse_started(s: &str) -> Result<OffsetDateTime, time::error::Parse> {
    let with_millis = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond][offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(s, &with_millis)
        .or_else(|_| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
}

/// The plain text of a comment in Atlassian Document Format: text nodes concatenated, a new
/// line between blocks (paragraphs, headings, list items, ...) and for hard breaks; mentions
/// and emoji as the text they show. A plain string (API v2) is itself.
pub fn adf_text(doc: &Value) -> String {
    fn walk(node: &Value, out: &mut String) {
        match node {
            Value::String(s) => out.push_str(s),
            Value::Array(items) => items.iter().for_each(|n| walk(n, out)),
            Value::Object(o) => {
                let kind = o.get("type").and_then(Value::as_str).unwrap_or("");
                match kind {
                    "text" => out.push_str(o.get("text").and_then(Value::as_str).unwrap_or("")),
                    "hardBreak" => out.push('\n'),
                    "mention" | "emoji" | "status" | "date" => {
                        let attrs = o.get("attrs");
                        if let Some(t) = attrs.and_then(|a| a.get("text")).and_then(Value::as_str) {
                            out.push_str(t);
                        }
                    }
                    "inlineCard" => {
                        if let Some(u) = o.get("attrs").and_then(|a| a.get("url")).and_then(Value::as_str) {
                            out.push_str(u);
                        }
                    }
                    _ => {
                        // A block: start it on its own line.
                        if kind != "doc" && !out.is_empty() && !out.ends_with('\n') {
                            out.push('\n');
                        }
                        if let Some(content) = o.get("content") {
                            walk(content, out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = String::new();
    walk(doc, &mut out);
    out.trim().to_string()
}

/// `errorMessages` and `errors` of a JIRA error answer, or its body.
fn jira_error(body: &str) -> String {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct JiraError {
        #[serde(default)]
        error_messages: Vec<String>,
        #[serde(default)]
        errors: BTreeMap<String, String>,
    }
    match serde_json::from_str::<JiraError>(body) {
        Ok(e) if !e.error_messages.is_empty() || !e.errors.is_empty() => e
            .error_messages
            .into_iter()
            .chain(e.errors.into_iter().map(|(k, v)| format!("{k}: {v}")))
            .collect::<Vec<_>>()
            .join("; "),
        _ => body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn started_is_read_with_an_offset_without_colon_and_counts_on_its_local_day() {
        assert_eq!(
            parse_started("2021-01-17T12:34:00.000+0000").unwrap(),
            datetime!(2021-01-17 12:34 UTC)
        );
        // 23:30 in New York is the next day in UTC, but the work was done on the 17th.
        assert_eq!(
            parse_started("2021-01-17T23:30:00.000-0500").unwrap().date(),
            date!(2021 - 01 - 17)
        );
        // Early morning in Sydney is the day before in UTC; late evening stays the same day; a
        // month's last evening stays in that month; 29 February in a leap year.
        for (started, day) in [
            ("2026-03-03T08:00:00.000+1100", date!(2026 - 03 - 03)),
            ("2026-03-02T23:45:00.000+1100", date!(2026 - 03 - 02)),
            ("2026-06-30T23:30:00.000+1000", date!(2026 - 06 - 30)),
            ("2028-02-29T07:00:00.000+1100", date!(2028 - 02 - 29)),
            ("2026-07-01T06:00:00.000+10:00", date!(2026 - 07 - 01)),
        ] {
            assert_eq!(parse_started(started).unwrap().date(), day, "{started}");
        }
        assert!(parse_started("17/01/2021").is_err());
    }

    #[test]
    fn adf_comment_becomes_plain_text() {
        let doc = json!({
            "type": "doc", "version": 1,
            "content": [
                {"type": "paragraph", "content": [
                    {"type": "text", "text": "Patched "},
                    {"type": "text", "text": "prod", "marks": [{"type": "strong"}]},
                    {"type": "text", "text": " with "},
                    {"type": "mention", "attrs": {"id": "5b10", "text": "@Erin"}},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "second line"}
                ]},
                {"type": "bulletList", "content": [
                    {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]},
                    {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "two"}]}]}
                ]}
            ]
        });
        assert_eq!(adf_text(&doc), "Patched prod with @Erin\nsecond line\none\ntwo");
        assert_eq!(adf_text(&json!("plain v2 comment")), "plain v2 comment");
        assert_eq!(adf_text(&json!({"type": "doc", "version": 1, "content": []})), "");
    }

    #[test]
    fn error_answers_are_summarised() {
        assert_eq!(
            jira_error(r#"{"errorMessages":["Bad JQL"],"errors":{"ids":"too many"}}"#),
            "Bad JQL; ids: too many"
        );
        assert_eq!(jira_error("oops"), "oops");
    }

    #[test]
    fn paging_links_are_asked_of_the_configured_base_from_rest_on() {
        assert_eq!(
            api_path("https://acme.atlassian.net/rest/api/3/worklog/updated?since=5"),
            "/rest/api/3/worklog/updated?since=5"
        );
        assert_eq!(
            api_path("https://api.atlassian.com/ex/jira/1324a887/rest/api/3/worklog/deleted?since=7"),
            "/rest/api/3/worklog/deleted?since=7"
        );
    }

    #[test]
    fn the_configuration_reads_from_json_with_defaults() {
        let c: JiraConfig = serde_json::from_value(json!({
            "base_url": "https://acme.atlassian.net",
            "auth": {"kind": "basic", "email": "sync@acme.com", "api_token": "t"},
            "task_code_field": "customfield_10050",
            "retry": {"max_retries": 1}
        }))
        .unwrap();
        assert!(matches!(c.auth, JiraAuth::Basic { .. }));
        assert_eq!(
            (c.list_batch, c.issue_batch, c.retry.max_retries),
            (MAX_LIST_IDS, 100, 1)
        );
        let c: JiraConfig = serde_json::from_value(json!({
            "base_url": "https://api.atlassian.com/ex/jira/1324a887",
            "auth": {"kind": "bearer", "token": "t"}
        }))
        .unwrap();
        assert!(matches!(c.auth, JiraAuth::Bearer { .. }));
        assert_eq!(c.task_code_field, None);
        let mut too_many = c.clone();
        too_many.list_batch = 1001;
        assert!(JiraWorklogs::new(too_many).is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let c = JiraConfig::new(
            "https://acme.atlassian.net",
            JiraAuth::Basic {
                email: "sync@example.com".into(),
                api_token: "ATATT-secret".into(),
            },
        );
        assert!(!format!("{c:?}").contains("ATATT"));
    }
}
