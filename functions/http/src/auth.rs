//! Who is calling. In Lambda, API Gateway's JWT authorizer has verified the token and the claims
//! arrive in the request context; locally (or when no authorizer ran) the bearer token is verified
//! here with the configured HS256 secret or JWKS. Either way the same claims become the same
//! [`Principal`]. Tokens are never logged.

use std::collections::BTreeSet;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use cc_domain::Error;
use cc_domain::audit::Origin;
use cc_domain::config::{AuthConfig, EmailSource};
use cc_domain::identity::{Principal, Role, Verified, roles_from_groups, split_groups_claim};
use cc_domain::ids::Email;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lambda_http::RequestExt;
use serde_json::{Map, Value};

use crate::Api;
use crate::error::ApiError;

/// Verifies bearer tokens locally.
pub struct TokenVerifier {
    keys: Vec<(Option<String>, DecodingKey, Algorithm)>,
    issuer: Option<String>,
    audience: Option<String>,
    /// Seconds of clock skew allowed on `exp`, `nbf` and `iat` alike.
    skew: u64,
}

impl TokenVerifier {
    /// `None` when neither a secret nor a JWKS is configured (API Gateway verifies).
    pub async fn from_config(auth: &AuthConfig) -> anyhow::Result<Option<Self>> {
        let mut keys = Vec::new();
        if let Some(secret) = &auth.jwt_secret {
            keys.push((None, DecodingKey::from_secret(secret.as_bytes()), Algorithm::HS256));
        }
        if let Some(location) = &auth.jwks_url {
            let text = if location.starts_with("http://") || location.starts_with("https://") {
                cc_tls::reqwest_client()
                    .map_err(|e| anyhow::anyhow!("CC_JWT_JWKS_URL: fetching {location}: {e}"))?
                    .get(location)
                    .send()
                    .await
                    .and_then(|r| r.error_for_status())
                    .map_err(|e| anyhow::anyhow!("CC_JWT_JWKS_URL: fetching {location}: {e}"))?
                    .text()
                    .await?
            } else {
                let path = location.strip_prefix("file://").unwrap_or(location);
                std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("CC_JWT_JWKS_URL: reading {path}: {e}"))?
            };
            let set: JwkSet =
                serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("CC_JWT_JWKS_URL: not a JWKS: {e}"))?;
            for jwk in &set.keys {
                let alg = match jwk.common.key_algorithm {
                    Some(a) => Algorithm::from_str_opt(&a.to_string()).unwrap_or(Algorithm::RS256),
                    None => Algorithm::RS256,
                };
                let key = DecodingKey::from_jwk(jwk).map_err(|e| anyhow::anyhow!("CC_JWT_JWKS_URL: bad key: {e}"))?;
                keys.push((jwk.common.key_id.clone(), key, alg));
            }
        }
        if keys.is_empty() {
            return Ok(None);
        }
        Ok(Some(TokenVerifier {
            keys,
            issuer: auth.issuer.clone(),
            audience: auth.audience.clone(),
            skew: auth.clock_skew_seconds,
        }))
    }

    /// The verified claims of `token`, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, Error> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Error::Unauthenticated("the bearer token is not a JWT".into()))?;
        let candidates = self
            .keys
            .iter()
            .filter(|(kid, _, alg)| *alg == header.alg && (kid.is_none() || *kid == header.kid));
        let mut last = None;
        for (_, key, alg) in candidates {
            let mut validation = Validation::new(*alg);
            // One skew for every time claim (RFC 7519 4.1.4, 4.1.5): `exp` after now - skew,
            // `nbf` before now + skew; `iat` is checked below, as jsonwebtoken does not.
            validation.leeway = self.skew;
            validation.validate_nbf = true;
            // A configured issuer is required, not only compared when present (API Gateway's JWT
            // authorizer refuses a token without `iss` too).
            match &self.issuer {
                Some(iss) => {
                    validation.set_required_spec_claims(&["exp", "iss"]);
                    validation.set_issuer(&[iss]);
                }
                None => {
                    validation.set_required_spec_claims(&["exp"]);
                    validation.iss = None;
                }
            }
            // The audience is checked below, the way API Gateway's JWT authorizer does.
            validation.validate_aud = false;
            match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
                Ok(data) => return self.issued_in_the_past(data.claims).and_then(|c| self.meant_for_us(c)),
                Err(e) => last = Some(e),
            }
        }
        use jsonwebtoken::errors::ErrorKind;
        Err(Error::Unauthenticated(match last.map(|e| e.into_kind()) {
            Some(ErrorKind::ExpiredSignature) => "the token has expired; sign in again".into(),
            Some(ErrorKind::ImmatureSignature) => "the token is not valid yet (nbf); check the clocks".into(),
            Some(ErrorKind::InvalidIssuer) => "the token was issued by someone else".into(),
            Some(ErrorKind::MissingRequiredClaim(claim)) => format!("the token has no '{claim}' claim"),
            Some(ErrorKind::InvalidAudience) => "the token is meant for another audience".into(),
            None => format!("no key accepts tokens signed with {:?}", header.alg),
            Some(_) => "the token's signature or claims are not valid".into(),
        }))
    }
}

impl TokenVerifier {
    /// Checks the audience as API Gateway's JWT authorizer does: `aud` (a string or a list) must
    /// name the configured audience; a token without `aud` (a Cognito access token) is checked by
    /// its `client_id` instead.
    fn meant_for_us(&self, claims: Map<String, Value>) -> Result<Map<String, Value>, Error> {
        let Some(expected) = &self.audience else {
            return Ok(claims);
        };
        let ok = match (claims.get("aud"), claims.get("client_id")) {
            (Some(Value::String(aud)), _) => aud == expected,
            (Some(Value::Array(auds)), _) => auds.iter().any(|a| a.as_str() == Some(expected)),
            (Some(_), _) => false,
            (None, Some(Value::String(client))) => client == expected,
            (None, _) => {
                return Err(Error::Unauthenticated(
                    "the token names no audience (neither aud nor client_id)".into(),
                ));
            }
        };
        if ok {
            Ok(claims)
        } else if claims.contains_key("aud") {
            Err(Error::Unauthenticated(
                "the token is meant for another audience (aud)".into(),
            ))
        } else {
            Err(Error::Unauthenticated(
                "the token was issued to another client (client_id)".into(),
            ))
        }
    }

    /// Refuses a token issued in the future (beyond the skew): a clock far ahead at the issuer,
    /// or a token minted to be used later.
    fn issued_in_the_past(&self, claims: Map<String, Value>) -> Result<Map<String, Value>, Error> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match claims.get("iat").map(|v| v.as_i64()) {
            Some(None) => Err(Error::Unauthenticated("the token's iat is not a number".into())),
            Some(Some(iat)) if iat > now + self.skew as i64 => Err(Error::Unauthenticated(
                "the token was issued in the future (iat); check the clocks".into(),
            )),
            _ => Ok(claims),
        }
    }
}

trait AlgorithmExt {
    fn from_str_opt(s: &str) -> Option<Algorithm>;
}
impl AlgorithmExt for Algorithm {
    fn from_str_opt(s: &str) -> Option<Algorithm> {
        s.parse().ok()
    }
}

/// What verified claims say about the caller, before the people directory is asked: the subject,
/// the e-mail when it comes from a claim, and the roles the groups map to.
pub fn verified_from_claims(claims: &Map<String, Value>, auth: &AuthConfig) -> Result<Verified, Error> {
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let roles = roles_from_groups(
        auth.roles_claims
            .iter()
            .filter_map(|c| claims.get(c))
            .flat_map(split_groups_claim)
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
        auth,
    );
    match auth.email_source {
        EmailSource::Claims => {
            let email = auth
                .email_claims
                .iter()
                .find_map(|c| text(c).and_then(|v| Email::parse(v).ok()))
                .ok_or_else(|| {
                    let present: Vec<&str> = auth
                        .email_claims
                        .iter()
                        .filter(|c| text(c).is_some())
                        .map(String::as_str)
                        .collect();
                    Error::Unauthenticated(format!(
                        "the token carries no e-mail address in {} ({}); set CC_EMAIL_CLAIM to the claims that \
                         hold one, or CC_EMAIL_SOURCE=people to map subjects to e-mails",
                        quoted_list(&auth.email_claims),
                        if present.is_empty() {
                            "none of them is present".to_string()
                        } else {
                            format!("not an e-mail address in {}", quoted_list(&present))
                        }
                    ))
                })?;
            Ok(Verified {
                subject: text(&auth.subject_claim).unwrap_or_default().to_string(),
                email: Some(email),
                roles,
            })
        }
        EmailSource::People => {
            let subject = text(&auth.subject_claim).ok_or_else(|| {
                Error::Unauthenticated(format!(
                    "the token carries no '{}' claim naming the person (CC_SUBJECT_CLAIM)",
                    auth.subject_claim
                ))
            })?;
            Ok(Verified {
                subject: subject.to_string(),
                email: None,
                roles,
            })
        }
    }
}

fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| format!("'{}'", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns verified claims into a principal when the e-mail comes from a claim
/// (`CC_EMAIL_SOURCE=claims`); with the people directory, use [`resolve`].
pub fn principal_from_claims(claims: &Map<String, Value>, auth: &AuthConfig) -> Result<Principal, Error> {
    let v = verified_from_claims(claims, auth)?;
    match v.email {
        Some(email) => Ok(Principal {
            email,
            subject: v.subject,
            roles: v.roles,
        }),
        None => Err(Error::Internal(anyhow::anyhow!(
            "the e-mail comes from the people directory: resolve the caller through it"
        ))),
    }
}

/// The caller as a principal: the e-mail from the claims, or the subject looked up in the people
/// directory. A subject the directory does not know is a 403 that says what to ask for.
pub async fn resolve(app: &cc_domain::App, v: Verified) -> Result<Principal, Error> {
    let email = match v.email {
        Some(email) => email,
        None => app.people.email_of(&v.subject).await?.ok_or_else(|| {
            Error::Forbidden(format!(
                "your sign-in ({} '{}') is not in Customer Central's people directory; ask an admin to add it \
                 with PUT /api/v1/people/{} and your e-mail",
                app.config.auth.subject_claim,
                cut(&v.subject),
                cut(&v.subject)
            ))
        })?,
    };
    Ok(Principal {
        email,
        subject: v.subject,
        roles: v.roles,
    })
}

/// At most 80 characters of a subject, for a message.
fn cut(s: &str) -> String {
    s.chars().take(80).collect()
}

/// The verified claims of a request: API Gateway's authorizer's in Lambda, else the bearer token
/// verified here.
fn request_claims(parts: &Parts, api: &Api) -> Result<Map<String, Value>, Error> {
    // Claims that API Gateway's authorizer verified (only Lambda's adapter can set these).
    if let Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) = parts.extensions.request_context_ref()
        && let Some(jwt) = ctx.authorizer.as_ref().and_then(|a| a.jwt.as_ref())
    {
        return Ok(jwt
            .claims
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect());
    }
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::Unauthenticated("send a bearer token in the Authorization header".into()))?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::Unauthenticated("the Authorization header must be 'Bearer <token>'".into()))?;
    let verifier = api
        .0
        .verifier
        .as_ref()
        .ok_or_else(|| Error::Unauthenticated("this deployment verifies tokens at the API gateway".into()))?;
    verifier.verify(token)
}

/// The authenticated caller of a route, with their e-mail. Refuses query parameters the route
/// does not take (400, once the caller is known: [`crate::query`]).
pub struct Caller(pub Principal);

async fn authenticate(parts: &mut Parts, api: &Api) -> Result<Principal, ApiError> {
    let claims = request_claims(parts, api)?;
    let verified = verified_from_claims(&claims, &api.app().config.auth)?;
    Ok(resolve(api.app(), verified).await?)
}

impl FromRequestParts<Api> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, ApiError> {
        let who = authenticate(parts, api).await?;
        crate::query::refuse_unknown(parts)?;
        Ok(Caller(who))
    }
}

/// The authenticated caller of a route only admins may use (hub writes, approval policies, ending
/// access). Authorisation comes before validation: a caller without the role still reaches the
/// handler with a valid request (the domain refuses it, and audits the attempt where it audits
/// refusals), but a request that fails validation before the domain sees it (path, query, body:
/// 400, 413, 415) is answered 403 instead ([`Refusal`], applied by `layers::finish`), so a
/// non-admin never gets to probe what a valid admin request looks like.
pub struct Admin(pub Principal);

impl FromRequestParts<Api> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, ApiError> {
        let who = authenticate(parts, api).await?;
        Refusal::unless(parts, who.has(Role::Admin), Role::Admin);
        crate::query::refuse_unknown(parts)?;
        Ok(Admin(who))
    }
}

/// Where a route's caller extractor ([`Admin`], [`VerifiedCaller`]) notes that the caller lacks
/// the role the route needs; `layers::finish` puts one on every request and turns the request's
/// validation failures into this 403.
#[derive(Clone, Debug, Default)]
pub struct Refusal(std::sync::Arc<std::sync::OnceLock<String>>);

impl Refusal {
    fn unless(parts: &mut Parts, allowed: bool, role: Role) {
        if let (false, Some(slot)) = (allowed, parts.extensions.get::<Refusal>()) {
            let _ = slot.0.set(format!("this route needs the {} role", role.as_str()));
        }
    }

    /// The 403 to answer instead of a validation failure, when the caller was refused.
    pub fn answer(&self) -> Option<ApiError> {
        self.0.get().map(|m| ApiError::from(Error::Forbidden(m.clone())))
    }
}

/// The authenticated caller of a people directory route (admin only): their e-mail when the
/// claims or the directory know it, else only their subject and roles (so the first admin can add
/// themselves). Like [`Admin`], a caller without the role gets 403 for a bad request, not 400.
pub struct VerifiedCaller(pub Verified);

impl FromRequestParts<Api> for VerifiedCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, api: &Api) -> Result<Self, ApiError> {
        let claims = request_claims(parts, api)?;
        let verified = verified_from_claims(&claims, &api.app().config.auth)?;
        Refusal::unless(parts, verified.roles.contains(&Role::Admin), Role::Admin);
        let caller = match resolve(api.app(), verified.clone()).await {
            Ok(p) => VerifiedCaller(p.into()),
            Err(Error::Forbidden(_)) => VerifiedCaller(verified),
            Err(e) => return Err(e.into()),
        };
        crate::query::refuse_unknown(parts)?;
        Ok(caller)
    }
}

/// A development token signed with the local HS256 secret (`cc token`, tests).
pub fn mint_dev_token(
    secret: &str,
    auth: &AuthConfig,
    email: &str,
    roles: &BTreeSet<Role>,
    ttl: std::time::Duration,
) -> anyhow::Result<String> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(email.to_string()));
    let email_claim = auth.email_claims.first().map_or("email", String::as_str);
    claims.insert(email_claim.into(), Value::String(email.to_string()));
    claims.insert(
        auth.roles_claims.first().cloned().unwrap_or_else(|| "groups".into()),
        Value::Array(roles.iter().map(|r| Value::String(r.as_str().into())).collect()),
    );
    claims.insert("iat".into(), now.into());
    claims.insert("exp".into(), (now + ttl.as_secs() as i64).into());
    if let Some(iss) = &auth.issuer {
        claims.insert("iss".into(), Value::String(iss.clone()));
    }
    if let Some(aud) = &auth.audience {
        claims.insert("aud".into(), Value::String(aud.clone()));
    }
    Ok(jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )?)
}

/// Where the caller connects from, for the audit log: API Gateway's `sourceIp` in Lambda, the
/// peer address locally. Every router also runs each request with it as the domain's task-local
/// origin (`layers::finish`), which the hub's audit events read.
pub struct ClientOrigin(pub Origin);

impl ClientOrigin {
    /// The origin of a request, from its extensions.
    pub fn of(extensions: &axum::http::Extensions) -> Origin {
        let from_lambda = match extensions.request_context_ref() {
            Some(lambda_http::request::RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone(),
            _ => None,
        };
        let source_ip = from_lambda.or_else(|| {
            extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        });
        Origin { source_ip }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientOrigin(ClientOrigin::of(&parts.extensions)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn auth() -> AuthConfig {
        AuthConfig::default()
    }

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn claims_become_a_principal() {
        let p = principal_from_claims(
            &claims(json!({"sub": "u1", "email": "Lee@Example.com", "groups": "[lead engineer]"})),
            &auth(),
        )
        .unwrap();
        assert_eq!(p.email.as_str(), "lee@example.com");
        assert!(p.has(Role::Lead) && p.has(Role::Engineer));
    }

    #[test]
    fn the_email_claim_is_configurable_and_required() {
        let mut a = auth();
        a.email_claims = vec!["username".into()];
        let p = principal_from_claims(&claims(json!({"sub": "u1", "username": "erin@example.com"})), &a).unwrap();
        assert_eq!(p.email.as_str(), "erin@example.com");
        let err = principal_from_claims(&claims(json!({"sub": "u1"})), &auth()).unwrap_err();
        assert!(matches!(err, Error::Unauthenticated(m) if m.contains("'email'") && m.contains("none of them")));
        let err = principal_from_claims(&claims(json!({"email": "not an email"})), &auth()).unwrap_err();
        assert!(matches!(err, Error::Unauthenticated(m) if m.contains("not an e-mail address in 'email'")));
        // A subject that looks like an e-mail is not used unless configured.
        let err = principal_from_claims(&claims(json!({"sub": "erin@example.com"})), &auth()).unwrap_err();
        assert!(matches!(err, Error::Unauthenticated(_)));
    }

    #[test]
    fn email_claims_are_tried_in_order_and_must_hold_an_email() {
        let mut a = auth();
        a.email_claims = vec!["email".into(), "preferred_username".into(), "upn".into()];
        let cases = [
            (
                json!({"preferred_username": "Ann@Contoso.com", "upn": "x@contoso.com"}),
                Some("ann@contoso.com"),
            ),
            (
                json!({"email": "", "preferred_username": "ann", "upn": "ann@contoso.com"}),
                Some("ann@contoso.com"),
            ),
            (
                json!({"email": "e@contoso.com", "upn": "u@contoso.com"}),
                Some("e@contoso.com"),
            ),
            (json!({"email": 42, "upn": "u@contoso.com"}), Some("u@contoso.com")),
            (json!({"preferred_username": "+447700900000"}), None),
        ];
        for (c, want) in cases {
            let got = principal_from_claims(&claims(c.clone()), &a);
            assert_eq!(got.as_ref().ok().map(|p| p.email.as_str()), want, "{c}: {got:?}");
        }
        let err = principal_from_claims(&claims(json!({"preferred_username": "ann"})), &a).unwrap_err();
        assert!(
            matches!(&err, Error::Unauthenticated(m) if m.contains("'email', 'preferred_username', 'upn'") && m.contains("not an e-mail address in 'preferred_username'")),
            "{err}"
        );
    }

    #[test]
    fn roles_come_from_every_roles_claim() {
        let mut a = auth();
        a.roles_claims = vec!["groups".into(), "roles".into()];
        a.role_groups
            .insert("6f1c2d3e-0000-4000-8000-00000000000a".into(), Role::Admin);
        let p = principal_from_claims(
            &claims(json!({"email": "a@contoso.com", "groups": ["6f1c2d3e-0000-4000-8000-00000000000a"], "roles": ["senior"]})),
            &a,
        )
        .unwrap();
        assert_eq!(p.roles, BTreeSet::from([Role::Admin, Role::Senior]));
    }

    #[test]
    fn in_people_mode_the_subject_claim_is_required() {
        let mut a = auth();
        a.email_source = EmailSource::People;
        a.subject_claim = "oid".into();
        let v = verified_from_claims(&claims(json!({"oid": "a1b2", "email": "ignored@example.com"})), &a).unwrap();
        assert_eq!((v.subject.as_str(), v.email), ("a1b2", None));
        let err = verified_from_claims(&claims(json!({"sub": "a1b2"})), &a).unwrap_err();
        assert!(matches!(err, Error::Unauthenticated(m) if m.contains("'oid'")));
    }

    const TEST_SECRET: &str = "0123456789abcdef0123456789abcdef-test";

    /// `auth()` with the test HS256 secret, changed by `configure`.
    fn hs256(configure: impl FnOnce(&mut AuthConfig)) -> AuthConfig {
        let mut a = auth();
        a.jwt_secret = Some(TEST_SECRET.into());
        configure(&mut a);
        a
    }

    /// `base` with `extra` over it, signed with the test secret.
    fn signed(base: Value, extra: &Value) -> String {
        let mut c = claims(base);
        c.extend(claims(extra.clone()));
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &c,
            &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
        )
        .unwrap()
    }

    /// As API Gateway does: `aud` when present (string or list), else `client_id` (Cognito).
    #[tokio::test]
    async fn the_audience_is_aud_or_else_client_id() {
        let a = hs256(|a| a.audience = Some("7app1client".into()));
        let verifier = TokenVerifier::from_config(&a).await.unwrap().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let token = |extra: Value| signed(json!({"sub": "u1", "exp": now + 600}), &extra);
        let cases = [
            (json!({"aud": "7app1client"}), None),
            (json!({"aud": ["other", "7app1client"]}), None),
            (json!({"client_id": "7app1client"}), None),
            (
                json!({"aud": "other", "client_id": "7app1client"}),
                Some("another audience"),
            ),
            (json!({"aud": "other"}), Some("another audience")),
            (json!({"client_id": "other"}), Some("another client")),
            (json!({}), Some("no audience")),
        ];
        for (extra, refused) in cases {
            let got = verifier.verify(&token(extra.clone()));
            match refused {
                None => assert!(got.is_ok(), "{extra}: {got:?}"),
                Some(why) => assert!(
                    matches!(&got, Err(Error::Unauthenticated(m)) if m.contains(why)),
                    "{extra}: {got:?}"
                ),
            }
        }
    }

    /// A configured issuer must be in the token: missing, null or another value is refused.
    #[tokio::test]
    async fn a_configured_issuer_is_required() {
        let a = hs256(|a| a.issuer = Some("https://login.example.com/".into()));
        let verifier = TokenVerifier::from_config(&a).await.unwrap().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let token = |extra: Value| {
            signed(
                json!({"sub": "u1", "email": "erin@example.com", "exp": now + 600}),
                &extra,
            )
        };
        assert!(
            verifier
                .verify(&token(json!({"iss": "https://login.example.com/"})))
                .is_ok()
        );
        for (extra, why) in [
            (json!({}), "no 'iss' claim"),
            (json!({"iss": null}), ""),
            (json!({"iss": 5}), ""),
            (json!({"iss": "https://evil.example.com/"}), "issued by someone else"),
        ] {
            let got = verifier.verify(&token(extra.clone()));
            assert!(
                matches!(&got, Err(Error::Unauthenticated(m)) if m.contains(why)),
                "{extra}: {got:?}"
            );
        }
    }

    /// `exp`, `nbf` and `iat` get the same skew (30 s by default), no more.
    #[tokio::test]
    async fn time_claims_share_one_clock_skew() {
        let mut a = hs256(|_| {});
        let verifier = TokenVerifier::from_config(&a).await.unwrap().unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let token = |extra: Value| {
            signed(
                json!({"sub": "u1", "email": "erin@example.com", "exp": now + 600}),
                &extra,
            )
        };
        let cases = [
            (json!({}), true),
            (json!({"exp": now - 10}), true),
            (json!({"exp": now - 45}), false),
            (json!({"nbf": now + 10}), true),
            (json!({"nbf": now + 120}), false),
            (json!({"iat": now + 10}), true),
            (json!({"iat": now + 120}), false),
            (json!({"iat": "yesterday"}), false),
        ];
        for (extra, accepted) in cases {
            let got = verifier.verify(&token(extra.clone()));
            assert_eq!(got.is_ok(), accepted, "{extra}: {got:?}");
        }
        // A skew of 0 is strict.
        a.clock_skew_seconds = 0;
        let strict = TokenVerifier::from_config(&a).await.unwrap().unwrap();
        assert!(strict.verify(&token(json!({"exp": now - 10}))).is_err());
        assert!(strict.verify(&token(json!({"nbf": now + 10}))).is_err());
    }
}
