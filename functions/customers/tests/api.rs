//! The hub API through its router with locally verified tokens: behaviour, roles, and every kind
//! of bad input (each a 4xx with a JSON error, and nothing written).

use std::collections::BTreeSet;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cc_domain::App;
use cc_domain::config::Config;
use cc_domain::identity::Role;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

struct Harness {
    router: Router,
    app: App,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn new() -> Self {
        Self::with(&[]).await
    }

    /// A hub with extra configuration (`CC_...` name, value).
    async fn with(extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = dir.path().display().to_string();
        let config = Config::from_lookup(|k| match k {
            "CC_DATA_DIR" => Some(data_dir.clone()),
            "CC_JWT_SECRET" => Some(SECRET.to_string()),
            _ => extra.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()),
        })
        .unwrap();
        let app = cc_adapters::wire::hub(config).await.unwrap();
        let api = cc_http::Api::from_app(app.clone()).await.unwrap();
        Harness {
            router: customers::router(api),
            app,
            _dir: dir,
        }
    }

    fn token(&self, email: &str, roles: &[Role]) -> String {
        let roles: BTreeSet<Role> = roles.iter().copied().collect();
        cc_http::mint_dev_token(SECRET, &self.app.config.auth, email, &roles, Duration::from_secs(600)).unwrap()
    }
    fn admin(&self) -> String {
        self.token("ada@example.com", &[Role::Admin])
    }
    fn engineer(&self) -> String {
        self.token("erin@example.com", &[Role::Engineer])
    }

    async fn raw(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
        };
        if status.is_client_error() || status.is_server_error() {
            assert!(
                value["error"]["code"].is_string(),
                "{method} {uri}: error body has a code: {value}"
            );
            assert!(
                value["error"]["message"].is_string(),
                "{method} {uri}: error body has a message: {value}"
            );
        }
        (status, value)
    }

    async fn call(&self, method: &str, uri: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
        self.raw(method, uri, Some(token), Some("application/json"), bytes)
            .await
    }

    async fn seed_customer(&self, code: &str) {
        let (s, v) = self
            .call(
                "POST",
                "/api/v1/customers",
                &self.admin(),
                Some(json!({"code": code, "name": format!("Customer {code}")})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }

    async fn seed_account(&self, id: &str, customer: &str, env: &str, sso: bool) -> Value {
        let (s, v) = self
            .call(
                "POST",
                "/api/v1/accounts",
                &self.admin(),
                Some(account_body(id, customer, env, sso)),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v
    }
}

fn account_body(id: &str, customer: &str, env: &str, sso: bool) -> Value {
    let access = if sso {
        json!({"method": "sso", "start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1", "permission_sets": ["ReadOnlyAccess"]})
    } else {
        json!({"method": "role", "read_role_arn": format!("arn:aws:iam::{id}:role/CCRead"),
               "breakglass_role_arn": format!("arn:aws:iam::{id}:role/CCBreakglass"), "external_id": "cc-ext-1"})
    };
    json!({"id": id, "customer": customer, "name": format!("{customer} {env} {id}"), "environment": env, "region": "eu-west-1", "access": access})
}

/// Deployed, the broker may assume only the stacks' BreakglassRoleName: an account naming another
/// role is refused when it is recorded (not with a 500 when an approved engineer needs it).
#[tokio::test]
async fn accounts_must_name_the_breakglass_role_the_broker_may_assume() {
    let h = Harness::with(&[("CC_BREAKGLASS_ROLE_NAME", "CCBreakglass")]).await;
    h.seed_customer("acme").await;
    let mut body = account_body("012345678901", "acme", "prod", false);
    body["access"]["breakglass_role_arn"] = json!("arn:aws:iam::012345678901:role/admin/CCBreakglass");
    let (s, v) = h.call("POST", "/api/v1/accounts", &h.admin(), Some(body)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["field"], "access.breakglass_role_arn");
    h.seed_account("012345678901", "acme", "prod", false).await;
    let patch = json!({"access": {"method": "role", "read_role_arn": "arn:aws:iam::012345678901:role/CCRead",
        "breakglass_role_arn": "arn:aws:iam::012345678901:role/Admin", "external_id": "cc-ext-1"}});
    let (s, v) = h
        .call("PATCH", "/api/v1/accounts/012345678901", &h.admin(), Some(patch))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (_, a) = h.call("GET", "/api/v1/accounts/012345678901", &h.admin(), None).await;
    assert_eq!(
        a["access"]["breakglass_role_arn"], "arn:aws:iam::012345678901:role/CCBreakglass",
        "nothing written"
    );

    // After the stack's role name changes, accounts recorded before stay editable; only a change
    // of access is judged by the new name.
    let renamed = Harness::with(&[("CC_BREAKGLASS_ROLE_NAME", "OtherName")]).await;
    renamed.seed_customer("acme").await;
    let item = h.app.items.get("ACCOUNT#012345678901", "META").await.unwrap().unwrap();
    renamed.app.items.put_new(item).await.unwrap();
    let (s, v) = renamed
        .call(
            "PATCH",
            "/api/v1/accounts/012345678901",
            &renamed.admin(),
            Some(json!({"name": "renamed"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

/// Quick find and console links go by alias: two accounts may never share one, whatever its case,
/// even when created at once.
#[tokio::test]
async fn aliases_are_unique_ignoring_case() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let with_alias = |id: &str, alias: &str| {
        let mut b = account_body(id, "acme", "prod", false);
        b["alias"] = json!(alias);
        b
    };
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts",
            &h.admin(),
            Some(with_alias("111111111111", "Web-Prod")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts",
            &h.admin(),
            Some(with_alias("222222222222", "web-prod")),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_alias")),
        "{v}"
    );
    let (s, _) = h.call("GET", "/api/v1/accounts/222222222222", &h.admin(), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing written");
    h.seed_account("222222222222", "acme", "prod", false).await;
    let patch = json!({"alias": "WEB-PROD"});
    let (s, v) = h
        .call(
            "PATCH",
            "/api/v1/accounts/222222222222",
            &h.admin(),
            Some(patch.clone()),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_alias")),
        "{v}"
    );
    // The holder may change its own alias's case; once it lets go, the other may take it.
    let (s, v) = h
        .call(
            "PATCH",
            "/api/v1/accounts/111111111111",
            &h.admin(),
            Some(json!({"alias": "WEB-prod"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = h
        .call(
            "PATCH",
            "/api/v1/accounts/111111111111",
            &h.admin(),
            Some(json!({"alias": "web-old"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = h
        .call("PATCH", "/api/v1/accounts/222222222222", &h.admin(), Some(patch))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = h
        .call("DELETE", "/api/v1/accounts/222222222222", &h.admin(), None)
        .await;
    assert!(s.is_success());
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts",
            &h.admin(),
            Some(with_alias("333333333333", "web-prod")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "a deleted account's alias is free again: {v}");

    // Ten creates racing for one alias: exactly one wins.
    let racers = (0..10).map(|i| {
        let body = with_alias(&format!("44444444440{i}"), "Racer");
        let token = h.admin();
        let h = &h;
        async move { h.call("POST", "/api/v1/accounts", &token, Some(body)).await.0 }
    });
    let outcomes = futures::future::join_all(racers).await;
    assert_eq!(
        outcomes.iter().filter(|s| **s == StatusCode::CREATED).count(),
        1,
        "{outcomes:?}"
    );
    assert!(
        outcomes
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn admin_builds_the_hub_and_engineers_read_it() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    h.seed_account("012345678901", "acme", "prod", false).await;
    let (s, c) = h.call("GET", "/api/v1/customers/acme", &h.engineer(), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c["account_count"], 1);
    let (s, a) = h
        .call("GET", "/api/v1/accounts/012345678901", &h.engineer(), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["id"], "012345678901", "leading zero kept");
    let (s, me) = h.call("GET", "/api/v1/me", &h.engineer(), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["email"], "erin@example.com");
    assert_eq!(me["roles"], json!(["engineer"]));
}

#[tokio::test]
async fn missing_bad_and_expired_tokens_are_401() {
    let h = Harness::new().await;
    let (s, v) = h.raw("GET", "/api/v1/customers", None, None, vec![]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["code"], "unauthenticated");
    let (s, _) = h.call("GET", "/api/v1/customers", "not-a-jwt", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let forged = cc_http::mint_dev_token(
        "another-secret-another-secret-another",
        &h.app.config.auth,
        "x@example.com",
        &[Role::Admin].into(),
        Duration::from_secs(60),
    )
    .unwrap();
    let (s, _) = h.call("GET", "/api/v1/customers", &forged, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Expired beyond the leeway.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expired = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"email": "x@example.com", "groups": ["admin"], "exp": now - 120}),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    let (s, v) = h.call("GET", "/api/v1/customers", &expired, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(v["error"]["message"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn wrong_role_is_403_and_writes_nothing() {
    let h = Harness::new().await;
    let nobody = h.token("nobody@example.com", &[]);
    let (s, _) = h.call("GET", "/api/v1/customers", &nobody, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "reads need a role");
    for who in [h.engineer(), h.token("lee@example.com", &[Role::Senior, Role::Lead])] {
        let (s, v) = h
            .call(
                "POST",
                "/api/v1/customers",
                &who,
                Some(json!({"code": "acme", "name": "Acme"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    }
    let (s, _) = h.call("GET", "/api/v1/customers/acme", &h.admin(), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing was written");
    h.seed_customer("acme").await;
    let (s, _) = h
        .call(
            "PATCH",
            "/api/v1/customers/acme",
            &h.engineer(),
            Some(json!({"name": "Hacked"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = h.call("DELETE", "/api/v1/customers/acme", &h.engineer(), None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, c) = h.call("GET", "/api/v1/customers/acme", &h.engineer(), None).await;
    assert_eq!(c["name"], "Customer acme");
}

#[tokio::test]
async fn malformed_bodies_are_400_415_413_and_write_nothing() {
    let h = Harness::new().await;
    let admin = h.admin();
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/customers",
            Some(&admin),
            Some("application/json"),
            b"{\"code\": \"acme\",".to_vec(),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/customers",
            &admin,
            Some(json!({"code": "acme", "name": "Acme", "colour": "red"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{v}"
    );
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/customers",
            Some(&admin),
            Some("text/plain"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type"))
    );
    let mut big = br#"{"code":"acme","name":"Acme","notes":""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    big.extend(br#""}"#);
    let (s, v) = h
        .raw("POST", "/api/v1/customers", Some(&admin), Some("application/json"), big)
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/customers",
            &admin,
            Some(json!({"code": "Acme Corp", "name": "Acme"})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code"))
    );
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/customers",
            &admin,
            Some(json!({"code": "acme", "name": "  "})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("name"))
    );
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/customers",
            &admin,
            Some(json!({"code": "acme", "name": "A", "report": {"recipients": ["not-an-email"]}})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("report.recipients[0]"))
    );
    let (_, list) = h.call("GET", "/api/v1/customers", &admin, None).await;
    assert_eq!(list["items"], json!([]), "no partial write");
}

#[tokio::test]
async fn invalid_account_fields_are_400_naming_the_field() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let admin = h.admin();
    let cases: Vec<(Value, &str)> = vec![
        (json!({"id": "12345678901"}), "id"),
        (json!({"id": 12345678901_u64}), "id"),
        (
            json!({"access": {"method": "role", "read_role_arn": "arn:aws:iam::012345678901:user/x", "breakglass_role_arn": "arn:aws:iam::012345678901:role/B", "external_id": "cc-1"}}),
            "access.read_role_arn",
        ),
        (
            json!({"access": {"method": "role", "read_role_arn": "arn:aws:iam::999999999999:role/R", "breakglass_role_arn": "arn:aws:iam::012345678901:role/B", "external_id": "cc-1"}}),
            "access.read_role_arn",
        ),
        (
            json!({"access": {"method": "sso", "start_url": "http://acme.awsapps.com/start", "sso_region": "eu-west-1", "permission_sets": ["R"]}}),
            "access.start_url",
        ),
        (
            json!({"access": {"method": "sso", "start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1", "permission_sets": []}}),
            "access.permission_sets",
        ),
        (json!({"region": "moon-1"}), "region"),
        (json!({"environment": "staging"}), "environment"),
        (json!({"customer": "nobody"}), "customer"),
    ];
    for (patch, field) in cases {
        let mut body = account_body("012345678901", "acme", "prod", false);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, v) = h.call("POST", "/api/v1/accounts", &admin, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}: {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    let (_, list) = h.call("GET", "/api/v1/accounts", &admin, None).await;
    assert_eq!(list["items"], json!([]), "no partial write");
    let (_, c) = h.call("GET", "/api/v1/customers/acme", &admin, None).await;
    assert_eq!(c["account_count"], 0);
}

#[tokio::test]
async fn duplicates_are_409() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/customers",
            &h.admin(),
            Some(json!({"code": "acme", "name": "Other"})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_customer"))
    );
    h.seed_account("012345678901", "acme", "prod", false).await;
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts",
            &h.admin(),
            Some(account_body("012345678901", "acme", "non-prod", true)),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_account"))
    );
    let (_, a) = h.call("GET", "/api/v1/accounts/012345678901", &h.admin(), None).await;
    assert_eq!(a["environment"], "prod", "the original is untouched");
    let (_, c) = h.call("GET", "/api/v1/customers/acme", &h.admin(), None).await;
    assert_eq!(c["account_count"], 1);
}

#[tokio::test]
async fn unknown_ids_are_404_and_malformed_ids_400() {
    let h = Harness::new().await;
    let admin = h.admin();
    for (method, uri) in [
        ("GET", "/api/v1/customers/nobody"),
        ("PATCH", "/api/v1/customers/nobody"),
        ("DELETE", "/api/v1/customers/nobody"),
        ("GET", "/api/v1/customers/nobody/contacts"),
        ("POST", "/api/v1/customers/nobody/contacts"),
        ("GET", "/api/v1/accounts/999999999999"),
        ("PATCH", "/api/v1/accounts/999999999999"),
        ("DELETE", "/api/v1/accounts/999999999999"),
        ("GET", "/api/v1/accounts/999999999999/console-links"),
    ] {
        let body = match method {
            "POST" => Some(json!({"name": "N", "email": "n@example.com"})),
            "PATCH" => Some(json!({})),
            _ => None,
        };
        let (s, v) = h.call(method, uri, &admin, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {uri}: {v}");
    }
    let (s, v) = h.call("GET", "/api/v1/accounts/12345", &admin, None).await;
    assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")));
    let (s, v) = h.call("GET", "/api/v1/customers/NOT_A_CODE", &admin, None).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code"))
    );
    let (s, v) = h.call("GET", "/api/v1/nothing-here", &admin, None).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_such_route"))
    );
    let (s, _) = h.call("PUT", "/api/v1/customers", &admin, None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn accounts_list_with_filters_and_pages() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    h.seed_customer("zeta").await;
    for i in 0..7 {
        h.seed_account(
            &format!("10000000000{i}"),
            "acme",
            if i % 2 == 0 { "prod" } else { "non-prod" },
            i % 3 == 0,
        )
        .await;
    }
    h.seed_account("200000000000", "zeta", "prod", false).await;
    let e = h.engineer();
    let mut ids = Vec::new();
    let mut uri = "/api/v1/accounts?customer=acme&limit=3".to_string();
    loop {
        let (s, page) = h.call("GET", &uri, &e, None).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page["items"].as_array().unwrap().len() <= 3);
        ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/accounts?customer=acme&limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(ids, (0..7).map(|i| format!("10000000000{i}")).collect::<Vec<_>>());
    let count = |v: &Value| v["items"].as_array().unwrap().len();
    let (_, v) = h.call("GET", "/api/v1/accounts?environment=prod", &e, None).await;
    assert_eq!(count(&v), 5);
    let (_, v) = h.call("GET", "/api/v1/accounts?access=sso", &e, None).await;
    assert_eq!(count(&v), 3);
    let (_, v) = h.call("GET", "/api/v1/accounts?q=zeta", &e, None).await;
    assert_eq!(count(&v), 1);
    let (_, v) = h
        .call("GET", "/api/v1/accounts?q=customer+acme+non-prod", &e, None)
        .await;
    assert_eq!(count(&v), 3, "words are ANDed, the customer's name is searchable");
    for (uri, field) in [
        ("/api/v1/accounts?limit=0", "limit"),
        ("/api/v1/accounts?limit=abc", "limit"),
        ("/api/v1/accounts?cursor=%%%", "cursor"),
        ("/api/v1/accounts?access=password", "access"),
        ("/api/v1/accounts?environment=staging", "environment"),
        ("/api/v1/accounts?colour=red", ""),
    ] {
        let (s, v) = h.call("GET", uri, &e, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        if !field.is_empty() {
            assert_eq!(v["error"]["field"], field, "{uri}: {v}");
        }
    }
    let (s, _) = h.call("GET", "/api/v1/accounts?customer=nobody", &e, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_with_accounts_cannot_be_deleted_and_contacts_go_with_the_customer() {
    let h = Harness::new().await;
    let admin = h.admin();
    h.seed_customer("acme").await;
    let (s, contact) = h.call("POST", "/api/v1/customers/acme/contacts", &admin, Some(json!({"name": "Morgan", "role": "CTO", "email": "Morgan@Acme.example.com", "phone": "+44 20 7946 0000"}))).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(contact["email"], "morgan@acme.example.com");
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/customers/acme/contacts",
            &admin,
            Some(json!({"name": "X", "email": "x@acme.example.com", "phone": "call me"})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("phone"))
    );
    h.seed_account("012345678901", "acme", "prod", false).await;
    let (s, v) = h.call("DELETE", "/api/v1/customers/acme", &admin, None).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("customer_has_accounts"))
    );
    let (s, _) = h.call("DELETE", "/api/v1/accounts/012345678901", &admin, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = h.call("DELETE", "/api/v1/customers/acme", &admin, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = h.call("GET", "/api/v1/customers/acme/contacts", &admin, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Re-creating the code starts clean: the old contacts did not survive.
    h.seed_customer("acme").await;
    let (_, v) = h.call("GET", "/api/v1/customers/acme/contacts", &admin, None).await;
    assert_eq!(v["items"], json!([]));
}

#[tokio::test]
async fn stale_versions_are_refused_and_moves_keep_counts() {
    let h = Harness::new().await;
    let admin = h.admin();
    h.seed_customer("acme").await;
    h.seed_customer("zeta").await;
    let a = h.seed_account("012345678901", "acme", "prod", false).await;
    let v1 = a["version"].as_u64().unwrap();
    let (s, updated) = h
        .call(
            "PATCH",
            "/api/v1/accounts/012345678901",
            &admin,
            Some(json!({"alias": "pay", "version": v1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(updated["version"], v1 + 1);
    let (s, v) = h
        .call(
            "PATCH",
            "/api/v1/accounts/012345678901",
            &admin,
            Some(json!({"alias": "lost", "version": v1})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    let (s, moved) = h
        .call(
            "PATCH",
            "/api/v1/accounts/012345678901",
            &admin,
            Some(json!({"customer": "zeta", "alias": null})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(moved["alias"], Value::Null);
    let (_, acme) = h.call("GET", "/api/v1/customers/acme", &admin, None).await;
    let (_, zeta) = h.call("GET", "/api/v1/customers/zeta", &admin, None).await;
    assert_eq!(
        (acme["account_count"].as_u64(), zeta["account_count"].as_u64()),
        (Some(0), Some(1))
    );
    let (s, _) = h
        .call(
            "PATCH",
            "/api/v1/accounts/012345678901",
            &admin,
            Some(json!({"customer": "nobody"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn contacts_are_deleted_only_at_the_version_read() {
    let h = Harness::new().await;
    let admin = h.admin();
    h.seed_customer("acme").await;
    let (s, c) = h
        .call(
            "POST",
            "/api/v1/customers/acme/contacts",
            &admin,
            Some(json!({"name": "Morgan", "role": "CTO", "email": "morgan@acme.example.com"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let path = format!("/api/v1/customers/acme/contacts/{}", c["id"].as_str().unwrap());
    let v1 = c["version"].as_u64().unwrap();
    let (s, _) = h
        .call(
            "PATCH",
            &path,
            &admin,
            Some(json!({"phone": "+44 20 7946 0001", "version": v1})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Deleting what one saw before someone else's edit is refused, and deletes nothing.
    let (s, v) = h.call("DELETE", &format!("{path}?version={v1}"), &admin, None).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    let (_, list) = h.call("GET", "/api/v1/customers/acme/contacts", &admin, None).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (s, _) = h
        .call("DELETE", &format!("{path}?version={}", v1 + 1), &admin, None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = h.call("DELETE", &path, &admin, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_lose_no_update() {
    let h = std::sync::Arc::new(Harness::new().await);
    h.seed_customer("acme").await;
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let h = h.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    let (s, v) = h
                        .call(
                            "POST",
                            "/api/v1/accounts",
                            &h.admin(),
                            Some(account_body(&format!("3000000000{i:02}"), "acme", "prod", false)),
                        )
                        .await;
                    assert_eq!(s, StatusCode::CREATED, "{v}");
                } else {
                    let (s, v) = h
                        .call(
                            "POST",
                            "/api/v1/customers/acme/contacts",
                            &h.admin(),
                            Some(json!({"name": format!("C{i}"), "email": format!("c{i}@example.com")})),
                        )
                        .await;
                    assert_eq!(s, StatusCode::CREATED, "{v}");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let (_, c) = h.call("GET", "/api/v1/customers/acme", &h.admin(), None).await;
    assert_eq!(c["account_count"], 12);
    let (_, contacts) = h.call("GET", "/api/v1/customers/acme/contacts", &h.admin(), None).await;
    assert_eq!(contacts["items"].as_array().unwrap().len(), 12);
    let (_, accounts) = h
        .call("GET", "/api/v1/accounts?customer=acme&limit=200", &h.admin(), None)
        .await;
    assert_eq!(accounts["items"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn one_start_url_has_one_sso_region() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    h.seed_account("012345678902", "acme", "prod", true).await;
    let mut other = account_body("012345678903", "acme", "prod", true);
    other["access"]["sso_region"] = json!("us-east-1");
    let (s, v) = h.call("POST", "/api/v1/accounts", &h.admin(), Some(other)).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("access.sso_region")),
        "{v}"
    );
    let mut moved = account_body("012345678902", "acme", "prod", true)["access"].clone();
    moved["sso_region"] = json!("us-east-1");
    let (s, _) = h
        .call(
            "PATCH",
            "/api/v1/accounts/012345678902",
            &h.admin(),
            Some(json!({"access": moved})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the only account on a start URL may change its region"
    );
}

#[tokio::test]
async fn console_links_and_quick_find() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    h.seed_account("012345678901", "acme", "prod", false).await;
    h.seed_account("012345678902", "acme", "non-prod", true).await;
    let e = h.engineer();
    let (_, links) = h
        .call("GET", "/api/v1/accounts/012345678901/console-links", &e, None)
        .await;
    assert_eq!(links["items"][0]["kind"], "switch_role");
    assert!(
        links["items"][0]["url"]
            .as_str()
            .unwrap()
            .contains("account=012345678901&roleName=CCRead")
    );
    let (_, links) = h
        .call("GET", "/api/v1/accounts/012345678902/console-links", &e, None)
        .await;
    assert_eq!(
        links["items"][0]["url"],
        "https://acme.awsapps.com/start/#/console?account_id=012345678902&role_name=ReadOnlyAccess"
    );
    let (s, found) = h.call("GET", "/api/v1/search?q=012345678902", &e, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(found["accounts"][0]["id"], "012345678902", "exact id first");
    let (_, found) = h.call("GET", "/api/v1/search?q=ACME", &e, None).await;
    assert_eq!(found["customers"][0]["code"], "acme");
    assert_eq!(found["accounts"].as_array().unwrap().len(), 2);
    let (s, _) = h.call("GET", "/api/v1/search?q=", &e, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = h.call("GET", "/api/v1/search", &e, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[test]
fn own_openapi_document_lists_the_hub_routes_only() {
    let doc = serde_json::to_value(customers::openapi()).unwrap();
    let paths: BTreeSet<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        BTreeSet::from([
            "/api/v1/me",
            "/api/v1/customers",
            "/api/v1/customers/{code}",
            "/api/v1/customers/{code}/contacts",
            "/api/v1/customers/{code}/contacts/{id}",
            "/api/v1/customers/{code}/overview",
            "/api/v1/customers/{code}/team",
            "/api/v1/accounts",
            "/api/v1/accounts/bulk",
            "/api/v1/accounts/{id}",
            "/api/v1/accounts/{id}/console-links",
            "/api/v1/search",
            "/api/v1/people",
            "/api/v1/people/{subject}",
        ]),
        "the docs function serves the merged document"
    );
    assert!(doc["components"]["schemas"]["Account"].is_object());
    // Error answers carry `errors` only from the bulk import: optional in the schema.
    assert_eq!(
        doc["components"]["schemas"]["ErrorDetail"]["required"],
        json!(["code", "message"])
    );
    let bulk = &doc["paths"]["/api/v1/accounts/bulk"]["post"];
    let content = bulk["requestBody"]["content"].as_object().unwrap();
    assert!(
        content.contains_key("application/json") && content.contains_key("text/csv"),
        "{bulk}"
    );
}

#[tokio::test]
async fn the_hub_router_leaves_the_openapi_document_to_the_docs_function() {
    let h = Harness::new().await;
    let (s, body) = h.raw("GET", "/api/v1/openapi.json", None, None, vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "no_such_route");
}

/// Authorisation before validation: a caller without the admin role gets 403 on an admin route
/// whatever is wrong with the request (body, content type, path), never the 400 that would tell
/// them what a valid admin request looks like; an admin gets the 400.
#[tokio::test]
async fn non_admins_get_403_before_their_request_is_validated() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let engineer = h.engineer();
    let json = Some("application/json");
    for (method, uri, content_type, body) in [
        ("POST", "/api/v1/customers", json, &b"{}"[..]),
        ("POST", "/api/v1/customers", json, b"garbage"),
        ("POST", "/api/v1/customers", Some("text/plain"), b"{}"),
        ("POST", "/api/v1/customers", None, b""),
        ("PATCH", "/api/v1/customers/acme", json, b"{\"colour\":1}"),
        ("PATCH", "/api/v1/customers/NOT_A_CODE", json, b"{}"),
        ("DELETE", "/api/v1/customers/acme?version=x", None, b""),
        ("PUT", "/api/v1/customers/acme/team", json, b"[]"),
        ("POST", "/api/v1/accounts", json, b"{}"),
        ("PUT", "/api/v1/people/someone", json, b"{}"),
        ("GET", "/api/v1/people?limit=0", None, b""),
    ] {
        let (s, v) = h.raw(method, uri, Some(&engineer), content_type, body.to_vec()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {uri}: {v}");
    }
    let (s, v) = h
        .raw("POST", "/api/v1/customers", Some(&h.admin()), json, b"{}".to_vec())
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code"))
    );
    // Readers' own validation errors stay 400.
    let (s, _) = h.call("GET", "/api/v1/customers?limit=0", &engineer, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// `version=` with nothing after it is a mistake (400), not a request without a version check.
#[tokio::test]
async fn an_empty_version_is_400_and_deletes_nothing() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let (s, v) = h
        .call("DELETE", "/api/v1/customers/acme?version=", &h.admin(), None)
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("version")),
        "{v}"
    );
    let (s, _) = h.call("GET", "/api/v1/customers/acme", &h.admin(), None).await;
    assert_eq!(s, StatusCode::OK, "still there");
}

/// Anything after the JSON body (more text, a second object) is a 400, not ignored.
#[tokio::test]
async fn data_after_the_json_body_is_400() {
    let h = Harness::new().await;
    for body in [
        &br#"{"code":"acme","name":"Acme"} GARBAGE"#[..],
        br#"{"code":"acme","name":"Acme"}{"code":"beta","name":"Beta"}"#,
    ] {
        let (s, v) = h
            .raw(
                "POST",
                "/api/v1/customers",
                Some(&h.admin()),
                Some("application/json"),
                body.to_vec(),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_json"))
        );
    }
    let (_, list) = h.call("GET", "/api/v1/customers", &h.admin(), None).await;
    assert_eq!(list["items"], json!([]));
}

/// Paths that do not decode, request targets that are too long and too many or too large headers
/// get the API's JSON error body (the harness checks every error body), like every other error.
#[tokio::test]
async fn undecodable_paths_long_targets_and_large_headers_get_json_errors() {
    let h = Harness::new().await;
    let admin = h.admin();
    for uri in ["/api/v1/customers/%FF%FE", "/api/v1/accounts/%C3%28"] {
        let (s, v) = h.raw("GET", uri, Some(&admin), None, vec![]).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
    }
    let long = format!("/api/v1/search?q={}", "a".repeat(cc_http::layers::MAX_URI_BYTES));
    let (s, v) = h.raw("GET", &long, Some(&admin), None, vec![]).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::URI_TOO_LONG, Some("uri_too_long"))
    );
    let mut req = Request::builder()
        .uri("/api/v1/me")
        .header("authorization", format!("Bearer {admin}"));
    for i in 0..=cc_http::layers::MAX_HEADERS {
        req = req.header(format!("x-filler-{i}"), "x");
    }
    let res = h
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let body: Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["error"]["code"], "headers_too_large");
}

/// Issue 12: customer codes are case-insensitive wherever they enter (path, query, bodies),
/// never a 400 and never a second customer; what is stored and answered stays lower case.
#[tokio::test]
async fn customer_codes_are_case_insensitive_wherever_they_enter() {
    let h = Harness::new().await;
    let admin = h.admin();
    let (s, c) = h
        .call(
            "POST",
            "/api/v1/customers",
            &admin,
            Some(json!({"code": "Acme-X", "name": "Acme X"})),
        )
        .await;
    assert_eq!((s, c["code"].as_str()), (StatusCode::CREATED, Some("acme-x")), "{c}");
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/customers",
            &admin,
            Some(json!({"code": "acme-x", "name": "Another"})),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_customer")),
        "the same code in another case is the same customer"
    );
    for path in [
        "/api/v1/customers/ACME-X",
        "/api/v1/customers/Acme-x",
        "/api/v1/customers/acme-x",
    ] {
        let (s, v) = h.call("GET", path, &h.engineer(), None).await;
        assert_eq!((s, v["code"].as_str()), (StatusCode::OK, Some("acme-x")), "{path}: {v}");
    }
    // Bodies: a new account's customer, a contact and the team under an upper-case path.
    let mut body = account_body("012345678901", "ACME-X", "prod", false);
    body["name"] = json!("Acme X prod");
    let (s, a) = h.call("POST", "/api/v1/accounts", &admin, Some(body)).await;
    assert_eq!(
        (s, a["customer"].as_str()),
        (StatusCode::CREATED, Some("acme-x")),
        "{a}"
    );
    let (s, contact) = h
        .call(
            "POST",
            "/api/v1/customers/ACME-X/contacts",
            &admin,
            Some(json!({"name": "Jo", "email": "jo@example.com"})),
        )
        .await;
    assert_eq!((s, contact["customer"].as_str()), (StatusCode::CREATED, Some("acme-x")));
    let (s, team) = h
        .call(
            "PUT",
            "/api/v1/customers/Acme-X/team",
            &admin,
            Some(json!({"members": ["erin@example.com"], "version": 0})),
        )
        .await;
    assert_eq!(
        (s, team["customer"].as_str()),
        (StatusCode::OK, Some("acme-x")),
        "{team}"
    );
    let (s, moved) = h
        .call(
            "PATCH",
            "/api/v1/accounts/012345678901",
            &admin,
            Some(json!({"customer": "ACME-X", "name": "renamed"})),
        )
        .await;
    assert_eq!(
        (s, moved["customer"].as_str()),
        (StatusCode::OK, Some("acme-x")),
        "{moved}"
    );
    // Query filters.
    let (s, list) = h
        .call("GET", "/api/v1/accounts?customer=ACME-X", &h.engineer(), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let (s, contacts) = h
        .call("GET", "/api/v1/customers/ACME-X/contacts", &h.engineer(), None)
        .await;
    assert_eq!((s, contacts["items"][0]["name"].as_str()), (StatusCode::OK, Some("Jo")));
    // One customer in all: the list and the stored count say so.
    let (_, customers) = h.call("GET", "/api/v1/customers", &h.engineer(), None).await;
    let codes: Vec<&str> = customers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["acme-x"]);
    assert_eq!(customers["items"][0]["account_count"], 1);
    // Still refused: what no case change makes a code.
    for bad in ["/api/v1/customers/ACME_X", "/api/v1/customers/-ACME"] {
        let (s, v) = h.call("GET", bad, &h.engineer(), None).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("code")),
            "{bad}"
        );
    }
}

/// schemathesis sends what the document allows: upper-case codes are valid input.
#[test]
fn the_documented_customer_code_pattern_accepts_upper_case() {
    let doc = serde_json::to_value(customers::openapi()).unwrap();
    for (path, method) in [
        ("/api/v1/customers/{code}", "get"),
        ("/api/v1/customers/{code}/team", "put"),
    ] {
        let schema = &doc["paths"][path][method]["parameters"][0]["schema"];
        assert_eq!(schema["pattern"], "^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$", "{path}");
    }
}

/// Issue 12: the customer page in one call.
#[tokio::test]
async fn the_overview_has_the_customer_contacts_team_policy_and_account_counts() {
    let h = Harness::new().await;
    let admin = h.admin();
    h.seed_customer("acme").await;
    h.seed_customer("globex").await;
    h.seed_account("012345678901", "acme", "prod", false).await;
    h.seed_account("012345678902", "acme", "non-prod", true).await;
    let mut management = account_body("012345678903", "acme", "prod", true);
    management["management_account"] = json!(true);
    management["delegated_admin_services"] = json!(["securityhub.amazonaws.com"]);
    let (s, v) = h.call("POST", "/api/v1/accounts", &admin, Some(management)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    h.seed_account("012345678909", "globex", "prod", false).await;
    for (name, order) in [("Second Call", 2), ("First Call", 1)] {
        let (s, v) = h
            .call(
                "POST",
                "/api/v1/customers/acme/contacts",
                &admin,
                Some(json!({"name": name, "email": format!("{}@acme.example", order), "escalation_order": order})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, _) = h
        .call(
            "PUT",
            "/api/v1/customers/acme/team",
            &admin,
            Some(json!({"members": ["erin@example.com"], "version": 0})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    let (s, o) = h
        .call("GET", "/api/v1/customers/ACME/overview", &h.engineer(), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(o["customer"]["code"], "acme");
    assert_eq!(o["customer"]["account_count"], 3);
    let names: Vec<&str> = o["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["First Call", "Second Call"], "escalation order");
    assert_eq!(o["team"]["members"], json!(["erin@example.com"]));
    assert_eq!(
        o["policy"],
        json!({"approvals_required": 1, "approver_roles": ["senior", "lead"], "max_duration_minutes": 240,
            "approval_window_minutes": 120, "ticket_required": false, "ticket_pattern": null,
            "requester_roles": ["engineer"], "customised": false, "version": 0}),
        "the defaults while no admin changed the policy"
    );
    assert_eq!(
        o["accounts"],
        json!({"total": 3, "by_environment": {"prod": 2, "non_prod": 1}, "by_access": {"sso": 2, "role": 1},
            "management": 1, "delegated_admin": 1}),
        "globex's account is not counted"
    );

    // A customer without anything yet.
    let (s, empty) = h
        .call("GET", "/api/v1/customers/globex/overview", &h.engineer(), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (empty["contacts"].as_array().unwrap().len(), &empty["team"]["version"]),
        (0, &json!(0))
    );
    assert_eq!(empty["accounts"]["total"], 1);

    // Every documented refusal.
    let (s, v) = h
        .call("GET", "/api/v1/customers/nobody/overview", &h.engineer(), None)
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, v) = h
        .call("GET", "/api/v1/customers/no_code/overview", &h.engineer(), None)
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code"))
    );
    let (s, _) = h
        .raw("GET", "/api/v1/customers/acme/overview", None, None, vec![])
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let nobody = h.token("nobody@example.com", &[]);
    let (s, _) = h.call("GET", "/api/v1/customers/acme/overview", &nobody, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let doc = serde_json::to_value(customers::openapi()).unwrap();
    let responses = &doc["paths"]["/api/v1/customers/{code}/overview"]["get"]["responses"];
    for status in ["200", "400", "401", "403", "404"] {
        assert!(responses.get(status).is_some(), "{status}: {responses}");
    }
}

/// Issue 12: contacts are found by quick find, and every contact write shows at once (each moves
/// the hub revision, so the snapshot quick find runs over is reloaded).
#[tokio::test]
async fn quick_find_finds_contacts_and_follows_contact_writes() {
    let h = Harness::new().await;
    let admin = h.admin();
    let e = h.engineer();
    h.seed_customer("acme").await;
    // Loaded once before the contact exists: the cached snapshot must not hide it.
    let (_, before) = h.call("GET", "/api/v1/search?q=bloggs", &e, None).await;
    assert_eq!(before["total_contacts"], 0);
    let (s, jo) = h
        .call(
            "POST",
            "/api/v1/customers/acme/contacts",
            &admin,
            Some(
                json!({"name": "Jo Bloggs", "email": "jo@acme.example", "role": "Head of Platform",
                "phone": "+44 20 7946 0001"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{jo}");
    for q in ["bloggs", "jo%40acme.example", "7946+0001", "head+of+platform"] {
        let (s, found) = h.call("GET", &format!("/api/v1/search?q={q}"), &e, None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(found["total_contacts"], 1, "{q}: {found}");
        assert_eq!(found["contacts"][0]["name"], "Jo Bloggs", "{q}");
        assert_eq!(found["contacts"][0]["customer"], "acme");
    }
    let id = jo["id"].as_str().unwrap();
    let (s, _) = h
        .call(
            "PATCH",
            &format!("/api/v1/customers/acme/contacts/{id}"),
            &admin,
            Some(json!({"name": "Jo Smith"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, found) = h.call("GET", "/api/v1/search?q=smith", &e, None).await;
    assert_eq!(found["contacts"][0]["name"], "Jo Smith", "an update shows at once");
    let (_, found) = h.call("GET", "/api/v1/search?q=bloggs", &e, None).await;
    assert_eq!(found["total_contacts"], 0);
    // The limit cuts contacts as it cuts the other lists.
    for n in 0..3 {
        let (s, _) = h
            .call(
                "POST",
                "/api/v1/customers/acme/contacts",
                &admin,
                Some(json!({"name": format!("Jo Number {n}"), "email": format!("jo{n}@acme.example")})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, found) = h.call("GET", "/api/v1/search?q=jo&limit=2", &e, None).await;
    assert_eq!(
        (
            found["contacts"].as_array().unwrap().len(),
            &found["total_contacts"],
            &found["truncated"]
        ),
        (2, &json!(4), &json!(true))
    );
    let (s, _) = h
        .call("DELETE", &format!("/api/v1/customers/acme/contacts/{id}"), &admin, None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, found) = h.call("GET", "/api/v1/search?q=smith", &e, None).await;
    assert_eq!(found["total_contacts"], 0, "a delete shows at once: {found}");
    // Role ARNs stay searchable.
    h.seed_account("012345678901", "acme", "prod", false).await;
    let (_, found) = h
        .call(
            "GET",
            "/api/v1/search?q=arn:aws:iam::012345678901:role/CCRead",
            &e,
            None,
        )
        .await;
    assert_eq!(found["accounts"][0]["id"], "012345678901");
}

fn bulk_ids(n: usize, from: u64) -> Vec<String> {
    (0..n).map(|i| format!("{:012}", from + i as u64)).collect()
}

async fn account_count(h: &Harness, code: &str) -> u64 {
    let (s, v) = h
        .call("GET", &format!("/api/v1/customers/{code}"), &h.admin(), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["account_count"].as_u64().unwrap()
}

async fn listed(h: &Harness, code: &str) -> usize {
    let mut n = 0;
    let mut cursor: Option<String> = None;
    loop {
        let uri = match &cursor {
            Some(c) => format!("/api/v1/accounts?customer={code}&limit=200&cursor={c}"),
            None => format!("/api/v1/accounts?customer={code}&limit=200"),
        };
        let (s, v) = h.call("GET", &uri, &h.engineer(), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        n += v["items"].as_array().unwrap().len();
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return n,
        }
    }
}

#[tokio::test]
async fn bulk_import_takes_json_and_csv_and_the_hub_sees_every_account() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    h.seed_customer("beta").await;
    assert_eq!(listed(&h, "acme").await, 0, "a snapshot cached before the import");
    let ids = bulk_ids(250, 200_000_000_000);
    let accounts: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| account_body(id, if i < 200 { "acme" } else { "beta" }, "prod", i % 2 == 0))
        .collect();
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts/bulk",
            &h.admin(),
            Some(json!({"accounts": accounts})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["created"], 250);
    assert_eq!(v["ids"].as_array().unwrap().len(), 250);
    assert_eq!(v["ids"][0], ids[0].as_str());
    assert_eq!(v["skipped"], json!([]));
    assert!(v["transactions"].as_u64().unwrap() >= 6, "{}", v["transactions"]);
    assert_eq!((listed(&h, "acme").await, listed(&h, "beta").await), (200, 50));
    assert_eq!(
        (account_count(&h, "acme").await, account_count(&h, "beta").await),
        (200, 50)
    );

    let csv = "id,customer,name,alias,environment,region,access.method,access.start_url,access.sso_region,access.permission_sets,read_role_arn,breakglass_role_arn,external_id\n\
        300000000001,acme,Data lake,lake,non-prod,eu-west-1,sso,https://acme.awsapps.com/start,eu-west-1,ReadOnlyAccess;ViewOnlyAccess,,,\n\
        300000000002,beta,\"Payments, EU\",,prod,eu-west-1,role,,,,arn:aws:iam::300000000002:role/CCRead,arn:aws:iam::300000000002:role/CCBreakglass,cc-beta\n";
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/accounts/bulk",
            Some(&h.admin()),
            Some("text/csv; charset=utf-8"),
            csv.into(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["ids"], json!(["300000000001", "300000000002"]));
    let (_, lake) = h
        .call("GET", "/api/v1/accounts/300000000001", &h.engineer(), None)
        .await;
    assert_eq!(lake["alias"], "lake");
    assert_eq!(
        lake["access"]["permission_sets"],
        json!(["ReadOnlyAccess", "ViewOnlyAccess"])
    );
    let (_, payments) = h
        .call("GET", "/api/v1/accounts/300000000002", &h.engineer(), None)
        .await;
    assert_eq!(payments["name"], "Payments, EU");
    assert_eq!(account_count(&h, "beta").await, 51);
}

#[tokio::test]
async fn bulk_import_lists_every_problem_by_row_and_field_and_writes_nothing() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    h.seed_account("400000000009", "acme", "prod", false).await;
    let mut accounts: Vec<Value> = bulk_ids(120, 400_000_000_100)
        .iter()
        .map(|id| account_body(id, "acme", "prod", false))
        .collect();
    accounts[10] = account_body("400000000100", "acme", "prod", false); // row 11: same id as row 1
    accounts[50] = account_body("400000000009", "acme", "prod", false); // row 51: in the hub
    accounts[70]["customer"] = json!("ghost"); // row 71: unknown customer
    accounts[90]["access"]["read_role_arn"] = json!("not an arn"); // row 91: bad value
    accounts[110]["environment"] = json!("staging"); // row 111: bad value
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts/bulk",
            &h.admin(),
            Some(json!({"accounts": accounts})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "validation_failed");
    let got: Vec<(u64, &str)> = v["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (11, "id"),
            (51, "id"),
            (71, "customer"),
            (91, "access.read_role_arn"),
            (111, "environment")
        ],
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("nothing was written"),
        "{v}"
    );
    assert_eq!(listed(&h, "acme").await, 1);
    assert_eq!(account_count(&h, "acme").await, 1);

    // CSV rows are numbered from the line after the header.
    let csv = "id,customer,name,environment,region,method,read_role_arn,breakglass_role_arn,external_id\n\
        400000000001,acme,ok,prod,eu-west-1,role,arn:aws:iam::400000000001:role/R,arn:aws:iam::400000000001:role/B,cc-x\n\
        400000000002,acme,,prod,eu-west-1,role,arn:aws:iam::400000000002:role/R,arn:aws:iam::400000000002:role/B,cc-x\n\
        400000000003,acme,short row\n";
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/accounts/bulk",
            Some(&h.admin()),
            Some("text/csv"),
            csv.into(),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let rows: Vec<u64> = v["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["row"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, [2, 3], "{v}");
    assert_eq!(v["error"]["errors"][0]["field"], "name");
    assert_eq!(listed(&h, "acme").await, 1);
}

#[tokio::test]
async fn bulk_import_bad_input_is_a_clear_4xx() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let admin = h.admin();
    let bulk = "/api/v1/accounts/bulk";
    let one = serde_json::to_vec(&json!({"accounts": [account_body("500000000001", "acme", "prod", false)]})).unwrap();
    for (ct, body, status, code) in [
        (
            "application/json",
            b"{\"accounts\": [".to_vec(),
            400,
            "validation_failed",
        ),
        ("application/json", b"[1, 2]".to_vec(), 400, "validation_failed"),
        (
            "application/json",
            b"{\"accounts\": []}".to_vec(),
            400,
            "validation_failed",
        ),
        (
            "application/json",
            b"{\"accounts\": [], \"dry_run\": true}".to_vec(),
            400,
            "validation_failed",
        ),
        (
            "text/csv",
            b"id;customer;name\n1;2;3\n".to_vec(),
            400,
            "validation_failed",
        ),
        ("text/csv", b"\xff\xfe\x00".to_vec(), 400, "validation_failed"),
        ("text/csv", Vec::new(), 400, "validation_failed"),
        ("text/plain", one.clone(), 415, "unsupported_media_type"),
        ("application/xml", one.clone(), 415, "unsupported_media_type"),
    ] {
        let (s, v) = h.raw("POST", bulk, Some(&admin), Some(ct), body.clone()).await;
        assert_eq!(
            (s.as_u16(), v["error"]["code"].as_str()),
            (status, Some(code)),
            "{ct} {}: {v}",
            String::from_utf8_lossy(&body)
        );
    }
    let (s, _) = h.raw("POST", bulk, Some(&admin), None, one.clone()).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // More than 10,000 accounts (a small CSV), and more than 4 MiB.
    let mut many = String::from("id,customer,name,environment,region,method\n");
    for i in 0..10_001 {
        many.push_str(&format!("{:012},acme,n,prod,eu-west-1,role\n", 600_000_000_000u64 + i));
    }
    let (s, v) = h.raw("POST", bulk, Some(&admin), Some("text/csv"), many.into()).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("accounts")),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("at most 10000"), "{v}");
    let mut huge = one.clone();
    huge.extend(std::iter::repeat_n(b' ', cc_http::MAX_UPLOAD_BYTES));
    let (s, v) = h.raw("POST", bulk, Some(&admin), Some("application/json"), huge).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    // Over the 1 MiB of other routes but under 4 MiB: accepted here.
    let mut padded = one.clone();
    padded.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    let (s, v) = h
        .raw("POST", bulk, Some(&admin), Some("application/json"), padded.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, _) = h
        .raw(
            "POST",
            "/api/v1/accounts",
            Some(&admin),
            Some("application/json"),
            padded,
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "other routes keep 1 MiB");

    // Non-admins: 403 whatever the body.
    let erin = h.engineer();
    for (ct, body) in [
        ("application/json", one.clone()),
        ("text/plain", b"x".to_vec()),
        ("text/csv", b"bad".to_vec()),
    ] {
        let (s, v) = h.raw("POST", bulk, Some(&erin), Some(ct), body).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{ct}"
        );
    }
    let (s, _) = h.raw("POST", bulk, None, Some("application/json"), one).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(listed(&h, "acme").await, 1, "only the padded import wrote");
}

#[tokio::test]
async fn single_creates_racing_a_bulk_import_never_double_an_account() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let ids = bulk_ids(300, 700_000_000_000);
    let accounts: Vec<Value> = ids.iter().map(|id| account_body(id, "acme", "prod", false)).collect();
    let admin = h.admin();
    let h = &h;
    let bulk = h.call(
        "POST",
        "/api/v1/accounts/bulk",
        &admin,
        Some(json!({"accounts": accounts})),
    );
    let singles = futures::future::join_all(ids.iter().rev().step_by(7).map(|id| {
        let body = account_body(id, "acme", "prod", false);
        let admin = admin.clone();
        async move { h.call("POST", "/api/v1/accounts", &admin, Some(body)).await }
    }));
    let ((bs, bv), singles) = tokio::join!(bulk, singles);
    let single_created = singles.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert!(
        singles
            .iter()
            .all(|(s, _)| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{singles:?}"
    );
    let total = if bs == StatusCode::CREATED {
        let created = bv["created"].as_u64().unwrap() as usize;
        assert_eq!(created + bv["skipped"].as_array().unwrap().len(), 300, "{bv}");
        created + single_created
    } else {
        // The singles landed first: the import was refused as a whole.
        assert_eq!(bs, StatusCode::BAD_REQUEST, "{bv}");
        single_created
    };
    assert_eq!(listed(h, "acme").await, total);
    assert_eq!(account_count(h, "acme").await as usize, total);
}

#[tokio::test]
async fn a_re_run_with_existing_skip_writes_only_what_is_missing_and_says_what_differs() {
    let h = Harness::new().await;
    h.seed_customer("acme").await;
    let admin = h.admin();
    let ids = bulk_ids(60, 800_000_000_000);
    let accounts: Vec<Value> = ids.iter().map(|id| account_body(id, "acme", "prod", false)).collect();
    // A first run that stopped part-way: the first 20 written.
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts/bulk",
            &admin,
            Some(json!({"accounts": accounts[..20]})),
        )
        .await;
    assert_eq!((s, v["created"].as_u64()), (StatusCode::CREATED, Some(20)), "{v}");
    // One of them renamed since: the re-run must say so.
    let (s, v) = h
        .call(
            "PATCH",
            &format!("/api/v1/accounts/{}", ids[4]),
            &admin,
            Some(json!({"name": "Renamed by hand"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The re-run without the option is refused as before, naming each row and the option.
    let all = json!({"accounts": accounts});
    let (s, v) = h.call("POST", "/api/v1/accounts/bulk", &admin, Some(all.clone())).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let errors = v["error"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 20, "{v}");
    assert_eq!(
        (errors[0]["row"].as_u64(), errors[0]["field"].as_str()),
        (Some(1), Some("id"))
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("?existing=skip"), "{v}");
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts/bulk?existing=error",
            &admin,
            Some(all.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(account_count(&h, "acme").await, 20, "nothing written");

    // With existing=skip: the 40 missing are written, the 20 present listed by row.
    let (s, v) = h
        .call("POST", "/api/v1/accounts/bulk?existing=skip", &admin, Some(all.clone()))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["created"], 40);
    assert_eq!(v["ids"][0], ids[20].as_str());
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 20);
    let rows: Vec<u64> = skipped.iter().map(|s| s["row"].as_u64().unwrap()).collect();
    assert_eq!(rows, (1..=20).collect::<Vec<_>>());
    assert!(skipped.iter().all(|s| s["cause"] == "in_hub"), "{v}");
    assert_eq!(skipped[0]["matches"], true);
    assert_eq!(skipped[0]["differs"], json!([]));
    assert_eq!(skipped[4]["id"], ids[4].as_str());
    assert_eq!(skipped[4]["matches"], false);
    assert_eq!(skipped[4]["differs"], json!(["name"]));
    assert!(
        skipped[4]["reason"]
            .as_str()
            .unwrap()
            .contains("differs from this row in name"),
        "{v}"
    );
    assert_eq!((account_count(&h, "acme").await, listed(&h, "acme").await), (60, 60));
    let (_, kept) = h
        .call("GET", &format!("/api/v1/accounts/{}", ids[4]), &admin, None)
        .await;
    assert_eq!(kept["name"], "Renamed by hand", "a skipped account is not changed");

    // Once more, as CSV: everything skipped, nothing written, still a 201.
    let csv_rows: String = ids
        .iter()
        .take(2)
        .map(|id| format!("{id},acme,acme prod {id},prod,eu-west-1,role,arn:aws:iam::{id}:role/CCRead,arn:aws:iam::{id}:role/CCBreakglass,cc-ext-1\n"))
        .collect();
    let csv =
        format!("id,customer,name,environment,region,method,read_role_arn,breakglass_role_arn,external_id\n{csv_rows}");
    let (s, v) = h
        .raw(
            "POST",
            "/api/v1/accounts/bulk?existing=skip",
            Some(&admin),
            Some("text/csv"),
            csv.into(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["created"].as_u64(), v["transactions"].as_u64()),
        (Some(0), Some(0)),
        "{v}"
    );
    assert_eq!(v["skipped"].as_array().unwrap().len(), 2);
    assert_eq!(v["skipped"][0]["matches"], true, "{v}");

    // An alias held by a different account stays an error, skip or not; a bad option is a 400.
    h.call(
        "PATCH",
        &format!("/api/v1/accounts/{}", ids[0]),
        &admin,
        Some(json!({"alias": "lake"})),
    )
    .await;
    let mut clash = account_body("800000000999", "acme", "prod", false);
    clash["alias"] = json!("LAKE");
    let (s, v) = h
        .call(
            "POST",
            "/api/v1/accounts/bulk?existing=skip",
            &admin,
            Some(json!({"accounts": [clash]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["errors"][0]["field"], "alias", "{v}");
    let (s, v) = h
        .call("POST", "/api/v1/accounts/bulk?existing=overwrite", &admin, Some(all))
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("existing")),
        "{v}"
    );
    assert_eq!(account_count(&h, "acme").await, 60);
}

/// Every route of the function refuses a query parameter it does not take (400 naming it), those
/// that take none too: a typo'd filter never quietly does nothing.
#[tokio::test]
async fn every_route_refuses_an_unknown_query_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let config = cc_domain::config::Config::from_lookup(|k| (k == "CC_DATA_DIR").then(|| d.clone())).unwrap();
    let app = cc_adapters::wire::hub(config).await.unwrap();
    cc_http::testing::every_route_of_a_function_refuses_an_unknown_query_parameter(
        app,
        customers::router,
        &customers::openapi(),
    )
    .await;
}

#[test]
fn query_rules_file_matches_the_document() {
    cc_http::testing::query_rules_file_matches(
        &customers::openapi(),
        concat!(env!("CARGO_MANIFEST_DIR"), "/query-rules.txt"),
    );
}
