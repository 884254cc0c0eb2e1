//! Tokens from an identity provider, verified locally against its JWKS (file or URL).
//! The key pair in `fixtures/` exists only for these tests.

use cc_domain::config::AuthConfig;
use cc_http::TokenVerifier;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

const PRIVATE: &[u8] = include_bytes!("fixtures/test-es256-private.pem");
const JWKS: &str = include_str!("fixtures/test-jwks.json");

fn fixture_path() -> String {
    format!("{}/tests/fixtures/test-jwks.json", env!("CARGO_MANIFEST_DIR"))
}

fn sign(kid: &str, claims: serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ec_pem(PRIVATE).unwrap()).unwrap()
}

fn claims(iss: &str, aud: &str) -> serde_json::Value {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    json!({"sub": "u-1", "email": "lee@example.com", "groups": ["lead"], "iss": iss, "aud": aud, "exp": now + 300})
}

fn auth(location: String) -> AuthConfig {
    AuthConfig {
        jwks_url: Some(location),
        issuer: Some("https://issuer.example.com".into()),
        audience: Some("customer-central".into()),
        roles_claims: vec!["groups".into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn jwks_file_verifies_the_providers_tokens_only() {
    let v = TokenVerifier::from_config(&auth(fixture_path()))
        .await
        .unwrap()
        .unwrap();
    let ok = v
        .verify(&sign(
            "test-key-1",
            claims("https://issuer.example.com", "customer-central"),
        ))
        .unwrap();
    assert_eq!(ok["email"], "lee@example.com");
    let p = cc_http::auth::principal_from_claims(&ok, &auth(fixture_path())).unwrap();
    assert!(p.has(cc_domain::identity::Role::Lead));
    assert!(
        v.verify(&sign(
            "other-key",
            claims("https://issuer.example.com", "customer-central")
        ))
        .is_err(),
        "unknown kid"
    );
    assert!(
        v.verify(&sign(
            "test-key-1",
            claims("https://evil.example.com", "customer-central")
        ))
        .is_err(),
        "issuer"
    );
    assert!(
        v.verify(&sign("test-key-1", claims("https://issuer.example.com", "other-app")))
            .is_err(),
        "audience"
    );
    let hs = jsonwebtoken::encode(
        &Header::default(),
        &claims("https://issuer.example.com", "customer-central"),
        &EncodingKey::from_secret(b"guessable"),
    )
    .unwrap();
    assert!(v.verify(&hs).is_err(), "no HS256 key is configured");
}

#[tokio::test]
async fn jwks_url_is_fetched_at_start() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/.well-known/jwks.json", axum::routing::get(|| async { JWKS }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{addr}/.well-known/jwks.json");
    let v = TokenVerifier::from_config(&auth(url)).await.unwrap().unwrap();
    assert!(
        v.verify(&sign(
            "test-key-1",
            claims("https://issuer.example.com", "customer-central")
        ))
        .is_ok()
    );
    let missing = TokenVerifier::from_config(&auth(format!("http://{addr}/nope"))).await;
    assert!(missing.err().unwrap().to_string().contains("CC_JWT_JWKS_URL"));
}
