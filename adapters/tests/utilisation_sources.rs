//! The utilisation sources (Salesforce contracts, JIRA worklogs) against a local HTTP server that
//! speaks each API's wire format (wiremock): tokens, paging, throttling, bad records.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{
    basic_auth, bearer_token, body_partial_json, body_string_contains, method, path, query_param,
};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use cc_adapters::http_source::{RetryPolicy, SourceError};
use cc_domain::utilisation::ports::{ContractSource, TimesheetSource};

/// Retries fast enough for tests: a `Retry-After: 1` is honoured (under the 2 s cap).
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        max_wait: Duration::from_secs(2),
        default_wait: Duration::from_millis(10),
    }
}

mod salesforce {
    use cc_adapters::salesforce::{SalesforceConfig, SalesforceContracts};

    use super::*;

    const QUERY: &str = "/services/data/v60.0/query";

    fn source(server: &MockServer) -> SalesforceContracts {
        let mut config = SalesforceConfig::new(server.uri(), "client-id-1", "s3cr3t-value");
        config.retry = quick_retries();
        SalesforceContracts::new(config).unwrap()
    }

    fn token_answer(token: &str, server: &MockServer) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": token,
            "instance_url": server.uri(),
            "id": "https://login.salesforce.com/id/00Dx/005x",
            "token_type": "Bearer",
            "issued_at": "1700000000000",
            "signature": "abc="
        }))
    }

    fn record(id: &str, number: &str, customer: &str) -> Value {
        json!({
            "attributes": {"type": "Contract", "url": format!("/services/data/v60.0/sobjects/Contract/{id}")},
            "Id": id,
            "ContractNumber": number,
            "Account": {"attributes": {"type": "Account", "url": "/services/data/v60.0/sobjects/Account/001x"}, "Customer_Code__c": customer},
            "StartDate": "2026-01-01",
            "EndDate": "2026-12-31",
            "Entitled_Hours__c": 240,
            "Monthly_Hours__c": 20.0,
            "Status": "Activated",
            "Description": "Managed AWS 2026"
        })
    }

    fn page(records: Vec<Value>, next: Option<&str>) -> ResponseTemplate {
        let mut body = json!({"totalSize": 5, "done": next.is_none(), "records": records});
        if let Some(n) = next {
            body["nextRecordsUrl"] = json!(n);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }

    fn invalid_session() -> ResponseTemplate {
        ResponseTemplate::new(401)
            .set_body_json(json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]))
    }

    async fn requests_to(server: &MockServer, p: &str) -> usize {
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == p)
            .count()
    }

    #[tokio::test]
    async fn the_token_is_fetched_with_client_credentials_once_and_reused() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .and(body_string_contains("grant_type=client_credentials"))
            .and(body_string_contains("client_id=client-id-1"))
            .and(body_string_contains("client_secret=s3cr3t-value"))
            .respond_with(token_answer("T1", &server))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .and(query_param(
                "q",
                "SELECT Id, ContractNumber, Account.Customer_Code__c, StartDate, EndDate, Entitled_Hours__c, Status, Description, Monthly_Hours__c FROM Contract",
            ))
            .and(bearer_token("T1"))
            .respond_with(page(vec![record("800A", "00000100", "acme-retail")], None))
            .expect(2)
            .mount(&server)
            .await;
        let sf = source(&server);

        let first = sf.contracts().await.unwrap();
        assert_eq!(first.requests, 2, "token + query");
        assert_eq!(first.contracts.len(), 1);
        let c = &first.contracts[0];
        assert_eq!(
            (c.id.as_str(), c.customer.as_str(), c.name.as_str(), c.status.as_str()),
            ("00000100", "acme-retail", "Managed AWS 2026", "Activated")
        );
        assert_eq!((c.entitled_hours, c.monthly_allocation), (240.0, Some(20.0)));
        assert_eq!(c.start.to_string(), "2026-01-01");
        assert!(first.rejected.is_empty());

        let second = sf.contracts().await.unwrap();
        assert_eq!(second.requests, 1, "the cached token is reused");
        server.verify().await;
    }

    #[tokio::test]
    async fn an_expired_session_renews_the_token_once_and_the_query_succeeds() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T1", &server))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T2", &server))
            .with_priority(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .and(bearer_token("T1"))
            .respond_with(invalid_session())
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .and(bearer_token("T2"))
            .respond_with(page(vec![record("800A", "00000100", "acme-retail")], None))
            .expect(1)
            .mount(&server)
            .await;

        let batch = source(&server).contracts().await.unwrap();
        assert_eq!(batch.contracts.len(), 1);
        assert_eq!(batch.requests, 4, "token, 401, new token, query");
        assert_eq!(requests_to(&server, "/services/oauth2/token").await, 2);
        server.verify().await;
    }

    #[tokio::test]
    async fn a_second_401_after_renewing_is_a_credentials_error_without_secrets() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T1", &server))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .respond_with(invalid_session())
            .mount(&server)
            .await;

        let err = source(&server).contracts().await.unwrap_err();
        assert!(
            matches!(SourceError::of(&err), Some(SourceError::Credentials { .. })),
            "{err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("INVALID_SESSION_ID"), "{msg}");
        assert!(!msg.contains("s3cr3t") && !msg.contains("T1"), "{msg}");
        // token, 401, token, 401: renewed once, not in a loop.
        assert_eq!(requests_to(&server, "/services/oauth2/token").await, 2);
        assert_eq!(requests_to(&server, QUERY).await, 2);
    }

    #[tokio::test]
    async fn refused_client_credentials_are_a_credentials_error_without_the_secret() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(
                ResponseTemplate::new(400).set_body_json(
                    json!({"error": "invalid_client", "error_description": "invalid client credentials"}),
                ),
            )
            .mount(&server)
            .await;

        let err = source(&server).contracts().await.unwrap_err();
        assert!(
            matches!(SourceError::of(&err), Some(SourceError::Credentials { .. })),
            "{err}"
        );
        assert!(
            err.to_string().contains("invalid_client: invalid client credentials"),
            "{err}"
        );
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    #[tokio::test]
    async fn every_page_is_read_by_following_next_records_url() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T1", &server))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .respond_with(page(
                vec![
                    record("800A", "00000100", "acme-retail"),
                    record("800B", "00000101", "acme-retail"),
                ],
                Some("/services/data/v60.0/query/01gD0000000001-2000"),
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/services/data/v60.0/query/01gD0000000001-2000"))
            .respond_with(page(
                vec![
                    record("800C", "00000102", "globex"),
                    record("800D", "00000103", "globex"),
                ],
                Some("/services/data/v60.0/query/01gD0000000001-4000"),
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/services/data/v60.0/query/01gD0000000001-4000"))
            .and(bearer_token("T1"))
            .respond_with(page(vec![record("800E", "00000104", "initech")], None))
            .expect(1)
            .mount(&server)
            .await;

        let batch = source(&server).contracts().await.unwrap();
        let numbers: Vec<&str> = batch.contracts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(numbers, ["00000100", "00000101", "00000102", "00000103", "00000104"]);
        assert_eq!(batch.requests, 4, "token + 3 pages");
        server.verify().await;
    }

    #[tokio::test]
    async fn a_429_waits_as_long_as_retry_after_says_then_retries() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T1", &server))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .respond_with(page(vec![record("800A", "00000100", "acme-retail")], None))
            .with_priority(2)
            .mount(&server)
            .await;

        let started = Instant::now();
        let batch = source(&server).contracts().await.unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
        assert!(waited < Duration::from_secs(5), "waited {waited:?}");
        assert_eq!(batch.contracts.len(), 1);
        assert_eq!(batch.requests, 3, "token, 429, query");
    }

    #[tokio::test]
    async fn a_long_retry_after_is_cut_to_the_cap_and_throttling_past_the_retries_is_an_error() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T1", &server))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "3600"))
            .mount(&server)
            .await;
        let mut config = SalesforceConfig::new(server.uri(), "client-id-1", "s3cr3t-value");
        config.retry = RetryPolicy {
            max_retries: 2,
            max_wait: Duration::from_millis(100),
            default_wait: Duration::from_millis(10),
        };

        let started = Instant::now();
        let err = SalesforceContracts::new(config).unwrap().contracts().await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        match SourceError::of(&err) {
            Some(SourceError::Throttled { status, retries, .. }) => assert_eq!((*status, *retries), (503, 2)),
            _ => panic!("{err}"),
        }
        assert_eq!(requests_to(&server, QUERY).await, 3, "1 try + 2 retries");
    }

    #[tokio::test]
    async fn request_limit_exceeded_is_an_error_that_says_so() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T1", &server))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(QUERY))
            .respond_with(ResponseTemplate::new(403).set_body_json(
                json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]),
            ))
            .expect(1)
            .mount(&server)
            .await;

        let err = source(&server).contracts().await.unwrap_err();
        assert!(
            matches!(SourceError::of(&err), Some(SourceError::RequestLimitExceeded { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("request limit is exceeded"), "{err}");
        server.verify().await;
    }

    #[tokio::test]
    async fn a_malformed_record_is_rejected_with_its_id_and_the_others_kept() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/services/oauth2/token"))
            .respond_with(token_answer("T1", &server))
            .mount(&server)
            .await;
        let mut bad_date = record("800BAD1", "00000101", "acme-retail");
        bad_date["EndDate"] = json!("31/12/2026");
        let mut bad_customer = record("800BAD2", "00000102", "acme-retail");
        bad_customer["Account"] = json!({"attributes": {"type": "Account"}, "Customer_Code__c": null});
        let mut bad_hours = record("800BAD3", "00000103", "acme-retail");
        bad_hours["Entitled_Hours__c"] = json!("a lot");
        Mock::given(method("GET"))
            .and(path(QUERY))
            .respond_with(page(
                vec![
                    record("800A", "00000100", "acme-retail"),
                    bad_date,
                    bad_customer,
                    bad_hours,
                    record("800E", "00000104", "globex"),
                ],
                None,
            ))
            .mount(&server)
            .await;

        let batch = source(&server).contracts().await.unwrap();
        let kept: Vec<&str> = batch.contracts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(kept, ["00000100", "00000104"]);
        let rejected: Vec<(&str, &str)> = batch
            .rejected
            .iter()
            .map(|r| (r.id.as_str(), r.reason.split(':').next().unwrap()))
            .collect();
        assert_eq!(
            rejected,
            [
                ("800BAD1", "EndDate"),
                ("800BAD2", "Account.Customer_Code__c"),
                ("800BAD3", "Entitled_Hours__c")
            ]
        );
    }
}

mod jira {
    use std::sync::{Arc, Mutex};

    use time::OffsetDateTime;
    use time::macros::{date, datetime};

    use cc_adapters::jira::{JiraAuth, JiraConfig, JiraWorklogs};

    use super::*;

    const SINCE: OffsetDateTime = datetime!(2026-10-01 00:00 UTC);
    const UNTIL_MS: i64 = 1_791_000_000_000;

    fn since_ms() -> String {
        (SINCE.unix_timestamp() * 1000).to_string()
    }

    fn basic(server: &MockServer) -> JiraConfig {
        let mut c = JiraConfig::new(
            server.uri(),
            JiraAuth::Basic {
                email: "sync@example.com".into(),
                api_token: "ATATT-token".into(),
            },
        );
        c.retry = quick_retries();
        c
    }

    fn feed(ids: &[u64], until: i64, next: Option<String>) -> ResponseTemplate {
        let values: Vec<Value> = ids
            .iter()
            .map(|id| json!({"worklogId": id, "updatedTime": until - 1000, "properties": []}))
            .collect();
        let mut body = json!({
            "values": values,
            "since": SINCE.unix_timestamp() * 1000,
            "until": until,
            "self": "https://acme.atlassian.net/rest/api/3/worklog/updated?since=0",
            "lastPage": next.is_none()
        });
        if let Some(n) = next {
            body["nextPage"] = json!(n);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }

    fn worklog(id: u64, issue: u64, seconds: i64, comment: Value) -> Value {
        json!({
            "self": format!("https://acme.atlassian.net/rest/api/3/issue/{issue}/worklog/{id}"),
            "id": id.to_string(),
            "issueId": issue.to_string(),
            "author": {"accountId": "5b10a2844c20165700ede21g", "emailAddress": "erin@example.com", "displayName": "Erin"},
            "updateAuthor": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Erin"},
            "started": "2026-10-05T23:30:00.000-0500",
            "timeSpent": "3h 20m",
            "timeSpentSeconds": seconds,
            "comment": comment,
            "created": "2026-10-05T23:40:00.000-0500",
            "updated": "2026-10-05T23:40:00.000-0500"
        })
    }

    fn adf(text: &str) -> Value {
        json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
    }

    /// Empty `deleted` feed.
    async fn no_deletions(server: &MockServer) {
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/deleted"))
            .respond_with(feed(&[], UNTIL_MS, None))
            .mount(server)
            .await;
    }

    #[tokio::test]
    async fn updated_worklogs_are_listed_and_given_their_issues_task_codes() {
        let server = MockServer::start().await;
        // The updated feed, two pages; the second link names the site, asked of the configured host.
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .and(query_param("since", since_ms()))
            .and(basic_auth("sync@example.com", "ATATT-token"))
            .respond_with(feed(
                &[103, 104],
                UNTIL_MS - 5000,
                Some("https://acme.atlassian.net/rest/api/3/worklog/updated?since=1790999995000".into()),
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .and(query_param("since", "1790999995000"))
            .respond_with(feed(&[105, 106, 107], UNTIL_MS, None))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/rest/api/3/worklog/list"))
            .and(body_partial_json(json!({"ids": [103, 104, 105, 106, 107]})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                worklog(103, 10002, 12000, adf("Patched the cluster")),
                worklog(104, 10003, 1800, Value::Null),
                worklog(105, 10002, 0, Value::Null),
                worklog(106, 10009, 3600, Value::Null),
                worklog(107, 10004, 3600, Value::Null)
            ])))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/rest/api/3/search/jql"))
            .and(body_partial_json(json!({
                "jql": "id in (10002,10003,10004,10009)",
                "fields": ["key", "customfield_10050"]
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issues": [
                    {"id": "10002", "key": "OPS-12", "fields": {"customfield_10050": "ACME-RUN"}},
                    {"id": "10003", "key": "OPS-13", "fields": {"customfield_10050": null}},
                    {"id": "10004", "key": "OPS-14", "fields": {"customfield_10050": "not a code!"}}
                ],
                "isLast": true
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/deleted"))
            .and(query_param("since", since_ms()))
            .respond_with(feed(&[90, 91], UNTIL_MS + 2000, None))
            .expect(1)
            .mount(&server)
            .await;
        let mut config = basic(&server);
        config.task_code_field = Some("customfield_10050".into());

        let changes = JiraWorklogs::new(config).unwrap().changes_since(SINCE).await.unwrap();

        let got: Vec<(&str, &str, f64)> = changes
            .updated
            .iter()
            .map(|w| (w.id.as_str(), w.task_code.as_str(), w.hours))
            .collect();
        assert_eq!(
            got,
            [("jira:103", "ACME-RUN", 12000.0 / 3600.0), ("jira:104", "OPS-13", 0.5)]
        );
        let first = &changes.updated[0];
        assert_eq!(
            first.day,
            date!(2026 - 10 - 05),
            "23:30 at -05:00 counts on the day it was logged (the 6th in UTC)"
        );
        assert_eq!(first.person, "erin@example.com");
        assert_eq!(first.note, "Patched the cluster");
        assert_eq!(changes.updated[1].note, "");

        let rejected: Vec<&str> = changes.rejected.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(rejected, ["jira:105", "jira:106", "jira:107"]);
        assert!(
            changes.rejected[0].reason.contains("0 hours"),
            "{:?}",
            changes.rejected[0]
        );
        assert!(
            changes.rejected[1].reason.contains("issue 10009: not found"),
            "{:?}",
            changes.rejected[1]
        );
        assert!(
            changes.rejected[2].reason.contains("customfield_10050"),
            "{:?}",
            changes.rejected[2]
        );

        assert_eq!(changes.deleted, ["jira:90", "jira:91"]);
        assert_eq!(
            changes.until,
            OffsetDateTime::from_unix_timestamp(UNTIL_MS / 1000).unwrap(),
            "the updated feed's until (the earlier of the two)"
        );
        assert_eq!(changes.requests, 5, "2 feed pages, list, search, deleted");
        server.verify().await;
    }

    /// Answers `worklog/list` with one worklog per id asked, all on issue 10002.
    struct EchoWorklogs(Arc<Mutex<Vec<usize>>>);

    impl Respond for EchoWorklogs {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let body: Value = request.body_json().unwrap();
            let ids: Vec<u64> = body["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            self.0.lock().unwrap().push(ids.len());
            let logs: Vec<Value> = ids.iter().map(|id| worklog(*id, 10002, 900, Value::Null)).collect();
            ResponseTemplate::new(200).set_body_json(logs)
        }
    }

    #[tokio::test]
    async fn more_than_1000_ids_are_listed_in_calls_of_at_most_1000() {
        let server = MockServer::start().await;
        let ids: Vec<u64> = (1..=2500).collect();
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .respond_with(feed(&ids, UNTIL_MS, None))
            .mount(&server)
            .await;
        let sizes = Arc::new(Mutex::new(Vec::new()));
        Mock::given(method("POST"))
            .and(path("/rest/api/3/worklog/list"))
            .respond_with(EchoWorklogs(sizes.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/rest/api/3/search/jql"))
            .and(body_partial_json(json!({"jql": "id in (10002)", "fields": ["key"]})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issues": [{"id": "10002", "key": "OPS-12", "fields": {}}]
            })))
            .expect(1)
            .mount(&server)
            .await;
        no_deletions(&server).await;

        let changes = JiraWorklogs::new(basic(&server))
            .unwrap()
            .changes_since(SINCE)
            .await
            .unwrap();
        assert_eq!(*sizes.lock().unwrap(), [1000, 1000, 500]);
        assert_eq!(changes.updated.len(), 2500);
        assert!(
            changes
                .updated
                .iter()
                .all(|w| w.task_code.as_str() == "OPS-12" && w.hours == 0.25)
        );
        assert!(changes.rejected.is_empty());
        server.verify().await;
    }

    /// `search/jql` as JIRA answers it: the issues of `id in (...)`, or a 400 for the whole query
    /// when one id names no issue.
    struct Issues {
        missing: u64,
        calls: Arc<Mutex<Vec<String>>>,
    }

    impl Respond for Issues {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let body: Value = request.body_json().unwrap();
            let jql = body["jql"].as_str().unwrap().to_string();
            self.calls.lock().unwrap().push(jql.clone());
            let ids: Vec<u64> = jql
                .trim_start_matches("id in (")
                .trim_end_matches(')')
                .split(',')
                .map(|s| s.parse().unwrap())
                .collect();
            if ids.contains(&self.missing) {
                return ResponseTemplate::new(400).set_body_json(json!({
                    "errorMessages": [format!("The value '{}' does not exist for the field 'id'.", self.missing)],
                    "errors": {}
                }));
            }
            let issues: Vec<Value> = ids
                .iter()
                .map(|id| json!({"id": id.to_string(), "key": format!("OPS-{}", id - 10000), "fields": {}}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"issues": issues, "isLast": true}))
        }
    }

    #[tokio::test]
    async fn an_issue_deleted_since_its_worklog_was_listed_is_rejected_and_the_others_kept() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .respond_with(feed(&[201, 202, 203], UNTIL_MS, None))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/rest/api/3/worklog/list"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                worklog(201, 10002, 3600, Value::Null),
                worklog(202, 10009, 3600, Value::Null),
                worklog(203, 10003, 3600, Value::Null)
            ])))
            .mount(&server)
            .await;
        let calls = Arc::new(Mutex::new(Vec::new()));
        Mock::given(method("POST"))
            .and(path("/rest/api/3/search/jql"))
            .respond_with(Issues {
                missing: 10009,
                calls: calls.clone(),
            })
            .mount(&server)
            .await;
        no_deletions(&server).await;

        let changes = JiraWorklogs::new(basic(&server))
            .unwrap()
            .changes_since(SINCE)
            .await
            .unwrap();
        let kept: Vec<(&str, &str)> = changes
            .updated
            .iter()
            .map(|w| (w.id.as_str(), w.task_code.as_str()))
            .collect();
        assert_eq!(kept, [("jira:201", "OPS-2"), ("jira:203", "OPS-3")]);
        assert_eq!(changes.rejected.len(), 1);
        assert_eq!(changes.rejected[0].id, "jira:202");
        assert!(
            changes.rejected[0].reason.contains("does not exist for the field 'id'"),
            "{:?}",
            changes.rejected[0]
        );
        assert_eq!(
            *calls.lock().unwrap(),
            [
                "id in (10002,10003,10009)",
                "id in (10002)",
                "id in (10003,10009)",
                "id in (10003)",
                "id in (10009)"
            ]
        );
    }

    #[tokio::test]
    async fn deleted_worklogs_are_followed_over_pages_as_jira_ids() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .respond_with(feed(&[], UNTIL_MS, None))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/deleted"))
            .and(query_param("since", since_ms()))
            .respond_with(feed(
                &[7, 8],
                UNTIL_MS - 10,
                Some(format!(
                    "{}/rest/api/3/worklog/deleted?since=1790000000001",
                    server.uri()
                )),
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/deleted"))
            .and(query_param("since", "1790000000001"))
            .respond_with(feed(&[9], UNTIL_MS, None))
            .mount(&server)
            .await;

        let changes = JiraWorklogs::new(basic(&server))
            .unwrap()
            .changes_since(SINCE)
            .await
            .unwrap();
        assert!(changes.updated.is_empty());
        assert_eq!(changes.deleted, ["jira:7", "jira:8", "jira:9"]);
        assert_eq!(
            changes.requests, 3,
            "updated (no list or search for no ids), 2 deleted pages"
        );
    }

    #[tokio::test]
    async fn a_bearer_token_is_sent_when_configured_and_a_429_is_waited_out() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .and(bearer_token("oauth-access"))
            .respond_with(feed(&[], UNTIL_MS, None))
            .with_priority(2)
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/deleted"))
            .and(bearer_token("oauth-access"))
            .respond_with(feed(&[], UNTIL_MS, None))
            .expect(1)
            .mount(&server)
            .await;
        let mut config = JiraConfig::new(
            server.uri(),
            JiraAuth::Bearer {
                token: "oauth-access".into(),
            },
        );
        config.retry = quick_retries();

        let started = Instant::now();
        let changes = JiraWorklogs::new(config).unwrap().changes_since(SINCE).await.unwrap();
        let waited = started.elapsed();
        assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
        assert!(waited < Duration::from_secs(5), "waited {waited:?}");
        assert_eq!(changes.requests, 3, "429, updated, deleted");
        server.verify().await;
    }

    #[tokio::test]
    async fn refused_credentials_are_a_credentials_error_without_the_token() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({
                "errorMessages": ["You are not authorized to perform this operation. Please log in."],
                "errors": {}
            })))
            .mount(&server)
            .await;

        let err = JiraWorklogs::new(basic(&server))
            .unwrap()
            .changes_since(SINCE)
            .await
            .unwrap_err();
        assert!(
            matches!(SourceError::of(&err), Some(SourceError::Credentials { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("not authorized"), "{err}");
        assert!(!err.to_string().contains("ATATT"), "{err}");
    }

    #[tokio::test]
    async fn the_next_since_never_goes_back_before_the_asked_one() {
        let server = MockServer::start().await;
        // An empty feed may answer an `until` of 0.
        Mock::given(method("GET"))
            .and(path("/rest/api/3/worklog/updated"))
            .respond_with(feed(&[], 0, None))
            .mount(&server)
            .await;
        no_deletions(&server).await;
        let changes = JiraWorklogs::new(basic(&server))
            .unwrap()
            .changes_since(SINCE)
            .await
            .unwrap();
        assert_eq!(changes.until, SINCE);
    }
}
