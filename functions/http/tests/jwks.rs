//! Tokens from an identity provider, verified locally against its JWKS (file or URL).
//! The key pairs in `fixtures/` (ES256, RS256) exist only for these tests.

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

/// An RSA key (RS256, the default when a JWK names no algorithm, as Cognito's and Entra ID's do):
/// what the JWT crypto back end must verify, whichever it is (issue #16 moved it off aws-lc).
#[tokio::test]
async fn rs256_tokens_verify_against_an_rsa_jwk() {
    const RSA_PRIVATE: &[u8] = include_bytes!("fixtures/test-rs256-private.pem");
    let location = format!("{}/tests/fixtures/test-jwks-rsa.json", env!("CARGO_MANIFEST_DIR"));
    let v = TokenVerifier::from_config(&auth(location)).await.unwrap().unwrap();
    let rs = |kid: &str, alg: Algorithm, claims: serde_json::Value| {
        let mut header = Header::new(alg);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_rsa_pem(RSA_PRIVATE).unwrap()).unwrap()
    };
    let ok = v
        .verify(&rs(
            "test-rsa-1",
            Algorithm::RS256,
            claims("https://issuer.example.com", "customer-central"),
        ))
        .unwrap();
    assert_eq!(ok["sub"], "u-1");
    let mut tampered = rs(
        "test-rsa-1",
        Algorithm::RS256,
        claims("https://issuer.example.com", "customer-central"),
    );
    // A character inside the signature (the last one holds padding bits too).
    let at = tampered.len() - 10;
    let swapped = if &tampered[at..at + 1] == "A" { "B" } else { "A" };
    tampered.replace_range(at..at + 1, swapped);
    assert!(v.verify(&tampered).is_err(), "a changed signature");
    assert!(
        v.verify(&rs(
            "test-rsa-1",
            Algorithm::RS384,
            claims("https://issuer.example.com", "customer-central")
        ))
        .is_err(),
        "the JWK's own algorithm only"
    );
    assert!(
        v.verify(&sign(
            "test-rsa-1",
            claims("https://issuer.example.com", "customer-central")
        ))
        .is_err(),
        "an ES256 token under the RSA key's id"
    );
}
