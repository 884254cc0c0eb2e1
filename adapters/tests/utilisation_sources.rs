//! The utilisation sources (Salesforce contracts) against a local HTTP server that
//! speaks each API's wire format (wiremock): tokens, paging, throttling, bad records.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{bearer_token, body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use cc_adapters::http_source::{RetryPolicy, SourceError};
use cc_domain::utilisation::ports::ContractSource;

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
