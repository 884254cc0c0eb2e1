//! Access tokens shaped like Cognito's, Okta's and Entra ID's, each through both ways a function
//! meets them: verified locally (JWKS; signed here with the test key) and as the claims API
//! Gateway's JWT authorizer puts in a Lambda event (every value a string, lists as `[a b]`).
//! Each becomes the right principal (`GET /api/v1/me`), with the e-mail from a claim or from the
//! people directory; missing or non-e-mail values are a clear 401, unknown subjects a 403 that
//! says what to do. Then the people directory's routes end to end.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cc_domain::App;
use cc_domain::config::Config;
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use tower::ServiceExt;

const PRIVATE: &[u8] = include_bytes!("../../http/tests/fixtures/test-es256-private.pem");

fn jwks_path() -> String {
    format!("{}/../http/tests/fixtures/test-jwks.json", env!("CARGO_MANIFEST_DIR"))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn sign(claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("test-key-1".into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ec_pem(PRIVATE).unwrap()).unwrap()
}

// ---- the providers' access tokens and settings --------------------------------------------

const COGNITO_ISS: &str = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123";
const COGNITO_CLIENT: &str = "7k2p9q4r6s8t1u3v5w7x9y0z1a";
const COGNITO_SUB: &str = "a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d";

/// A Cognito user pool access token: no `email`, no `aud` (`client_id` instead), groups in
/// `cognito:groups`, `username` = the sub when users sign in with their e-mail.
fn cognito_token(sub: &str, groups: &[&str]) -> Value {
    json!({
        "sub": sub, "cognito:groups": groups, "iss": COGNITO_ISS, "version": 2,
        "client_id": COGNITO_CLIENT, "origin_jti": "5f0c1e2a-0b6d-4c3e-9f8a-7b6c5d4e3f2a",
        "event_id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "token_use": "access",
        "scope": "openid email", "auth_time": now(), "iat": now(), "exp": now() + 3600,
        "jti": "8e7d6c5b-4a39-4281-9706-f5e4d3c2b1a0", "username": sub
    })
}

fn cognito_settings() -> Vec<(&'static str, String)> {
    vec![
        ("CC_JWT_ISSUER", COGNITO_ISS.into()),
        ("CC_JWT_AUDIENCE", COGNITO_CLIENT.into()),
        ("CC_ROLES_CLAIM", "cognito:groups".into()),
        ("CC_ROLE_GROUPS", "cc-admins=admin,cc-engineers=engineer".into()),
        ("CC_EMAIL_SOURCE", "people".into()),
    ]
}

const OKTA_ISS: &str = "https://example.okta.com/oauth2/default";

/// An Okta custom authorization server's access token: `sub` = the login (here an e-mail),
/// `uid`, `aud` = the API audience, groups through a custom `groups` claim.
fn okta_token(sub: &str, groups: &[&str]) -> Value {
    json!({
        "ver": 1, "jti": "AT.q8lLjWQ6o0Iv7a3zH1mU2RzYxJkEhT0CwVb9nDs4fPg", "iss": OKTA_ISS,
        "aud": "api://default", "iat": now(), "exp": now() + 3600, "cid": "0oa1b2c3d4E5F6g7h8i9",
        "uid": "00u1a2b3c4D5e6F7g8h9", "scp": ["openid", "profile", "email"], "auth_time": now(),
        "sub": sub, "groups": groups
    })
}

fn okta_settings() -> Vec<(&'static str, String)> {
    vec![
        ("CC_JWT_ISSUER", OKTA_ISS.into()),
        ("CC_JWT_AUDIENCE", "api://default".into()),
        ("CC_EMAIL_CLAIM", "email,sub".into()),
        ("CC_ROLE_GROUPS", "CC-Leads=lead,CC-Engineers=engineer".into()),
    ]
}

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const ENTRA_API: &str = "6e74172b-be56-4843-9ff4-e66a39bb12e3";
const ENTRA_ADMINS: &str = "b9c8d7e6-f5a4-4b3c-9d2e-1f0a9b8c7d6e";
const ENTRA_OID: &str = "690222be-ff1a-4d56-abd1-7e4f7d38e474";

fn entra_iss() -> String {
    format!("https://login.microsoftonline.com/{TENANT}/v2.0")
}

/// An Entra ID v2 access token: `aud` = the API's client id, no `email` (not configured as an
/// optional claim), `preferred_username` the UPN, `oid`, groups as object ids, app roles.
fn entra_token(preferred_username: Option<&str>) -> Value {
    let mut t = json!({
        "aud": ENTRA_API, "iss": entra_iss(), "iat": now(), "nbf": now(), "exp": now() + 3600,
        "aio": "AXQAi/8TAAAA", "azp": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "azpacr": "0",
        "name": "Ann Example", "oid": ENTRA_OID, "rh": "0.AXEAv4j5cvGGr0GRqy180BHbRw",
        "roles": ["senior"], "groups": [ENTRA_ADMINS, "0f1e2d3c-4b5a-4968-8776-655443322110"],
        "scp": "access_as_user", "sub": "l3_roISQU222bULS9yi2k0XpqpOiMz5H3ZACo1GeXA", "tid": TENANT,
        "uti": "fqiBqXLPj0eQa82S-IYFAA", "ver": "2.0"
    });
    if let Some(p) = preferred_username {
        t["preferred_username"] = json!(p);
    }
    t
}

fn entra_settings() -> Vec<(&'static str, String)> {
    vec![
        ("CC_JWT_ISSUER", entra_iss()),
        ("CC_JWT_AUDIENCE", ENTRA_API.into()),
        ("CC_EMAIL_CLAIM", "email,preferred_username,upn".into()),
        ("CC_ROLES_CLAIM", "groups,roles".into()),
        ("CC_ROLE_GROUPS", format!("{ENTRA_ADMINS}=admin")),
    ]
}

// ---- the two ways in -------------------------------------------------------------------------

struct Deployment {
    app: App,
    /// Verifies bearer tokens itself (JWKS), as `cc serve` does.
    local: Router,
    /// No verifier: API Gateway verified the token (Lambda).
    lambda: cc_http::lambda::Adapter,
    _dir: tempfile::TempDir,
}

impl Deployment {
    async fn new(settings: Vec<(&'static str, String)>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut env: BTreeMap<&str, String> = settings.into_iter().collect();
        env.insert("CC_DATA_DIR", dir.path().display().to_string());
        env.insert("CC_JWT_JWKS_URL", jwks_path());
        let config = Config::from_lookup(|k| env.get(k).cloned()).unwrap();
        let app = cc_adapters::wire::hub(config).await.unwrap();
        let local = customers::router(cc_http::Api::from_app(app.clone()).await.unwrap());
        let lambda =
            cc_http::lambda::Adapter::new(customers::router(cc_http::Api::new(app.clone(), None)), None).unwrap();
        Deployment {
            app,
            local,
            lambda,
            _dir: dir,
        }
    }

    /// A call with a bearer token, verified locally.
    async fn call(&self, method: &str, uri: &str, claims: &Value, body: Option<Value>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {}", sign(claims)))
            .header("content-type", "application/json")
            .body(Body::from(body.map(|b| b.to_string()).unwrap_or_default()))
            .unwrap();
        let res = self.local.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// The same call as a Lambda event carrying API Gateway's rendering of the claims.
    async fn event(&self, method: &str, path: &str, claims: &Value, body: Option<Value>) -> (StatusCode, Value) {
        let mut event = json!({
            "version": "2.0", "routeKey": format!("{method} {path}"), "rawPath": path, "rawQueryString": "",
            "headers": {"content-type": "application/json", "host": "api.example.com"},
            "requestContext": {
                "accountId": "111122223333", "apiId": "cc0api", "domainName": "api.example.com",
                "authorizer": {"jwt": {"claims": apigw_claims(claims), "scopes": null}},
                "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7",
                         "userAgent": "test"},
                "requestId": "idp-test", "routeKey": format!("{method} {path}"), "stage": "$default",
                "time": "25/Nov/2026:09:00:00 +0000", "timeEpoch": 1795597200000_i64
            },
            "isBase64Encoded": false
        });
        if let Some(b) = body {
            event["body"] = json!(b.to_string());
        }
        let answer = self.lambda.answer(event, None).await.unwrap();
        let status = StatusCode::from_u16(answer.status()).unwrap();
        (
            status,
            serde_json::from_slice(&answer.body_bytes()).unwrap_or(Value::Null),
        )
    }

    /// `GET /api/v1/me` both ways; both must agree.
    async fn me(&self, claims: &Value) -> (StatusCode, Value) {
        let local = self.call("GET", "/api/v1/me", claims, None).await;
        let lambda = self.event("GET", "/api/v1/me", claims, None).await;
        assert_eq!(local, lambda, "verified locally vs claims from API Gateway");
        local
    }
}

/// Claims as API Gateway's JWT authorizer passes them to the function: every value a string,
/// lists as `[a b]`.
fn apigw_claims(claims: &Value) -> Value {
    let rendered = claims
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Array(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| i.as_str().map(String::from).unwrap_or_else(|| i.to_string()))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                other => other.to_string(),
            };
            (k.clone(), Value::String(s))
        })
        .collect();
    Value::Object(rendered)
}

fn roles(me: &Value) -> Vec<&str> {
    me["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect()
}

// ---- Cognito --------------------------------------------------------------------------------

#[tokio::test]
async fn cognito_access_tokens_map_their_sub_through_the_people_directory() {
    let d = Deployment::new(cognito_settings()).await;
    let admin = cognito_token(COGNITO_SUB, &["cc-admins", "cc-engineers"]);

    // Not in the directory yet: a 403 that names the subject and what to ask for.
    let (s, v) = d.me(&admin).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(COGNITO_SUB) && message.contains("PUT /api/v1/people/"),
        "{message}"
    );

    // The first admin adds themselves (an admin by groups may manage the directory unmapped).
    let (s, v) = d
        .call(
            "PUT",
            &format!("/api/v1/people/{COGNITO_SUB}"),
            &admin,
            Some(json!({"email": "Ada.Admin@Example.com", "name": "Ada"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["email"], "ada.admin@example.com");
    assert_eq!(v["updated_by"], format!("subject:{COGNITO_SUB}"));

    let (s, me) = d.me(&admin).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "ada.admin@example.com");
    assert_eq!(me["subject"], COGNITO_SUB);
    assert_eq!(roles(&me), ["engineer", "admin"]);

    // Now mapped, the admin's next change is audited under their e-mail.
    let engineer_sub = "0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e";
    let (s, v) = d
        .event(
            "PUT",
            &format!("/api/v1/people/{engineer_sub}"),
            &admin,
            Some(json!({"email": "erin@example.com"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["updated_by"], "ada.admin@example.com");
    let (s, me) = d.me(&cognito_token(engineer_sub, &["cc-engineers"])).await;
    assert_eq!((s, me["email"].as_str()), (StatusCode::OK, Some("erin@example.com")));
    assert_eq!(roles(&me), ["engineer"]);

    // Someone else's app client: refused by client_id, as API Gateway would.
    let mut other = admin.clone();
    other["client_id"] = json!("1otherclient2");
    let (s, v) = d.call("GET", "/api/v1/me", &other, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("client_id"), "{v}");
    // An ID token of the same pool (aud = the client id) is accepted too, as API Gateway does.
    let mut id_token = admin.clone();
    id_token.as_object_mut().unwrap().remove("client_id");
    id_token["aud"] = json!(COGNITO_CLIENT);
    assert_eq!(d.call("GET", "/api/v1/me", &id_token, None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn cognito_access_tokens_without_an_email_claim_are_a_clear_401() {
    // Left on the default (e-mail from the `email` claim): the token has none.
    let mut settings = cognito_settings();
    settings.retain(|(k, _)| *k != "CC_EMAIL_SOURCE");
    let d = Deployment::new(settings).await;
    let (s, v) = d.me(&cognito_token(COGNITO_SUB, &["cc-admins"])).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["error"]["code"], "unauthenticated");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'email'") && message.contains("CC_EMAIL_SOURCE=people"),
        "{message}"
    );
}

// ---- Okta -----------------------------------------------------------------------------------

#[tokio::test]
async fn okta_access_tokens_take_the_email_from_sub() {
    let d = Deployment::new(okta_settings()).await;
    let (s, me) = d
        .me(&okta_token("Lee.Lead@Example.com", &["CC-Leads", "Everyone"]))
        .await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "lee.lead@example.com");
    assert_eq!(roles(&me), ["lead"]);

    // An `email` claim added on the authorization server wins over `sub`.
    let mut t = okta_token("lee", &["CC-Engineers"]);
    t["email"] = json!("lee@example.com");
    let (s, me) = d.me(&t).await;
    assert_eq!((s, me["email"].as_str()), (StatusCode::OK, Some("lee@example.com")));

    // A login that is not an e-mail, and no e-mail claim: 401 saying which claims were tried.
    let (s, v) = d.me(&okta_token("lee", &["CC-Leads"])).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("'email', 'sub'") && message.contains("not an e-mail address in 'sub'"),
        "{message}"
    );

    // A token for another API of the same org.
    let mut other = okta_token("lee.lead@example.com", &["CC-Leads"]);
    other["aud"] = json!("api://payroll");
    let (s, v) = d.call("GET", "/api/v1/me", &other, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("audience"), "{v}");
}

#[tokio::test]
async fn okta_uid_can_key_the_people_directory() {
    let mut settings = okta_settings();
    settings.push(("CC_EMAIL_SOURCE", "people".into()));
    settings.push(("CC_SUBJECT_CLAIM", "uid".into()));
    let d = Deployment::new(settings).await;
    let admin = okta_token("lee", &["admin"]);
    let (s, v) = d
        .call(
            "PUT",
            "/api/v1/people/00u1a2b3c4D5e6F7g8h9",
            &admin,
            Some(json!({"email": "lee.lead@example.com"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, me) = d.me(&admin).await;
    assert_eq!(
        (s, me["email"].as_str()),
        (StatusCode::OK, Some("lee.lead@example.com"))
    );
    assert_eq!(me["subject"], "00u1a2b3c4D5e6F7g8h9");
    // A token without the subject claim.
    let mut no_uid = admin.clone();
    no_uid.as_object_mut().unwrap().remove("uid");
    let (s, v) = d.me(&no_uid).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("'uid'"), "{v}");
}

// ---- Entra ID -------------------------------------------------------------------------------

#[tokio::test]
async fn entra_access_tokens_take_the_upn_and_map_group_ids_and_app_roles() {
    let d = Deployment::new(entra_settings()).await;
    let (s, me) = d.me(&entra_token(Some("Ann@Contoso.com"))).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["email"], "ann@contoso.com");
    assert_eq!(
        roles(&me),
        ["senior", "admin"],
        "group object id -> admin, app role senior"
    );

    // No e-mail-shaped claim at all (e.g. a token without preferred_username).
    let (s, v) = d.me(&entra_token(None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'email', 'preferred_username', 'upn' (none of them is present)"),
        "{v}"
    );
    // A preferred_username that is a phone number, not an e-mail.
    let (s, _) = d.me(&entra_token(Some("+447700900123"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    // A v1 token for the API's App ID URI is another audience when the client id is configured.
    let mut v1 = entra_token(Some("ann@contoso.com"));
    v1["aud"] = json!("api://customer-central");
    assert_eq!(d.call("GET", "/api/v1/me", &v1, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn entra_oid_can_key_the_people_directory() {
    let mut settings = entra_settings();
    settings.push(("CC_EMAIL_SOURCE", "people".into()));
    settings.push(("CC_SUBJECT_CLAIM", "oid".into()));
    let d = Deployment::new(settings).await;
    let token = entra_token(Some("ann_contoso.com#EXT#@fabrikam.onmicrosoft.com"));
    let (s, _) = d.me(&token).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = d
        .call(
            "PUT",
            &format!("/api/v1/people/{ENTRA_OID}"),
            &token,
            Some(json!({"email": "ann@contoso.com"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, me) = d.me(&token).await;
    assert_eq!((s, me["email"].as_str()), (StatusCode::OK, Some("ann@contoso.com")));
}

// ---- the people directory's routes ----------------------------------------------------------

#[tokio::test]
async fn people_directory_routes_are_admin_only_and_refuse_bad_input() {
    let d = Deployment::new(cognito_settings()).await;
    let admin = cognito_token(COGNITO_SUB, &["cc-admins"]);
    let engineer = cognito_token("e-1", &["cc-engineers"]);
    let put = |subject: &str, body: Value| {
        let uri = format!("/api/v1/people/{subject}");
        let admin = admin.clone();
        let d = &d;
        async move { d.call("PUT", &uri, &admin, Some(body)).await }
    };
    assert_eq!(
        put(COGNITO_SUB, json!({"email": "ada@example.com"})).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        put("e-1", json!({"email": "erin@example.com"})).await.0,
        StatusCode::CREATED
    );

    // An engineer (mapped, so known) may not read or change the directory.
    for (method, uri, body) in [
        ("GET", "/api/v1/people".to_string(), None),
        ("GET", "/api/v1/people/e-1".to_string(), None),
        (
            "PUT",
            "/api/v1/people/e-1".to_string(),
            Some(json!({"email": "me@example.com"})),
        ),
        ("DELETE", format!("/api/v1/people/{COGNITO_SUB}"), None),
    ] {
        let (s, v) = d.call(method, &uri, &engineer, body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {uri}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("admin role"), "{v}");
    }
    // An unmapped non-admin gets nothing either.
    let stranger = cognito_token("nobody", &["cc-engineers"]);
    assert_eq!(
        d.call("GET", "/api/v1/people", &stranger, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        d.call("GET", "/api/v1/customers", &stranger, None).await.0,
        StatusCode::FORBIDDEN
    );

    // Bad input: a clear 400 naming the field, nothing written.
    let long = "x".repeat(257);
    let bad = [
        ("e-2", json!({"email": "not-an-email"}), "email"),
        ("e-2", json!({}), "email"),
        ("e-2", json!({"email": "e2@example.com", "role": "admin"}), "role"),
        (
            "e-2",
            json!({"email": "e2@example.com", "name": "x".repeat(201)}),
            "name",
        ),
        ("e-2", json!({"email": "e2@example.com", "version": "one"}), "version"),
        (long.as_str(), json!({"email": "e2@example.com"}), "subject"),
        ("has%20space", json!({"email": "e2@example.com"}), "subject"),
        ("tab%09", json!({"email": "e2@example.com"}), "subject"),
    ];
    for (subject, body, field) in bad {
        let (s, v) = put(subject, body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{subject} {body}: {v}");
        assert!(v["error"]["message"].is_string(), "{v}");
        assert!(
            v["error"]["field"].as_str().is_some_and(|f| f.contains(field))
                || v["error"]["message"].as_str().unwrap().contains(field),
            "{subject} {body}: {v}"
        );
    }
    let (s, v) = d.call("PUT", "/api/v1/people/e-2", &admin, None).await;
    assert!(s.is_client_error(), "no body: {s} {v}");
    let (s, v) = d.call("GET", "/api/v1/people?limit=0", &admin, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = d.call("GET", "/api/v1/people?cursor=garbage", &admin, None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // Unknown subjects are 404.
    let (s, v) = d.call("GET", "/api/v1/people/e-2", &admin, None).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, _) = d.call("DELETE", "/api/v1/people/e-2", &admin, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // One e-mail, one subject.
    let (s, v) = put("e-3", json!({"email": "Erin@Example.com"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("email_taken")),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("'e-1'"), "{v}");

    // Versions: a stale one is refused; the same body again changes nothing.
    let (s, v) = put(
        "e-1",
        json!({"email": "erin@example.com", "name": "Erin", "version": 7}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    let (s, v) = put(
        "e-1",
        json!({"email": "erin@example.com", "name": "Erin", "version": 1}),
    )
    .await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    let (s, v) = put("e-1", json!({"email": "erin@example.com", "name": "Erin"})).await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    let (s, _) = put("e-9", json!({"email": "new@example.com", "version": 1})).await;
    assert_eq!(s, StatusCode::CONFLICT, "version 1 of an entry that does not exist");

    // Changing the e-mail frees the old one; the engineer is now someone else at once.
    let (s, v) = put("e-1", json!({"email": "erin.new@example.com"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        d.me(&engineer).await.1["email"],
        "erin.new@example.com",
        "the change is seen at once on this instance"
    );
    assert_eq!(
        put("e-3", json!({"email": "erin@example.com"})).await.0,
        StatusCode::CREATED
    );

    // The list, paged, sorted by subject.
    let (s, page1) = d.call("GET", "/api/v1/people?limit=2", &admin, None).await;
    assert_eq!(s, StatusCode::OK, "{page1}");
    let cursor = page1["next_cursor"].as_str().unwrap().to_string();
    let (_, page2) = d
        .call("GET", &format!("/api/v1/people?limit=2&cursor={cursor}"), &admin, None)
        .await;
    let subjects: Vec<&str> = page1["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["items"].as_array().unwrap())
        .map(|p| p["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, [COGNITO_SUB, "e-1", "e-3"]);
    assert!(page2["next_cursor"].is_null());

    // Removal: a stale version is refused; then the person's tokens stop working at once.
    let (s, _) = d.call("DELETE", "/api/v1/people/e-1?version=1", &admin, None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = d.call("DELETE", "/api/v1/people/e-1", &admin, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(d.me(&engineer).await.0, StatusCode::FORBIDDEN);

    // Every change is in the audit log, with the admin and the entry before and after.
    let month = cc_domain::keys::audit_month(d.app.clock.now());
    let events: Vec<cc_domain::audit::AuditEvent> = d
        .app
        .items
        .query_all(cc_domain::store::Query::partition(cc_domain::store::Index::Gsi2, month).limit(100))
        .await
        .unwrap()
        .into_iter()
        .map(|i| serde_json::from_value(i.data).unwrap())
        .collect();
    let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "person_created",
            "person_created",
            "person_created",
            "person_deleted",
            "person_updated",
            "person_updated"
        ],
        "{events:#?}"
    );
    let deleted = events.iter().find(|e| e.action == "person_deleted").unwrap();
    assert_eq!(deleted.actor, "ada@example.com");
    assert_eq!(deleted.before.as_ref().unwrap()["email"], "erin.new@example.com");
    assert!(deleted.after.is_none());
}
