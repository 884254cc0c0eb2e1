//! Extractors whose failures are the API's JSON errors rather than axum's plain-text ones:
//! bodies must be JSON, at most 1 MiB, with no unknown fields; the offending field is named.
//!
//! Every body is read as UTF-8 (JSON is UTF-8 by RFC 8259; CSV uploads are read as UTF-8 text):
//! a `Content-Type` naming another charset (`text/csv; charset=iso-8859-1`, `windows-1252`,
//! `utf-16`) is refused with 415 asking for UTF-8 ([`media_type`]), rather than read as UTF-8
//! and its accented letters turned into garbage or refused row by row. A multipart file part's
//! own `Content-Type` is held to the same rule.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::MAX_BODY_BYTES;
use crate::error::ApiError;

/// A JSON request body, deserialised with the failing path reported as `field`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(&media_type(req.headers())?) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                ApiError::bad_request("unreadable_body", format!("the request body could not be read: {e}"))
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The request's media type, lower case, without parameters (`text/csv; charset=utf-8` is
/// `text/csv`); empty when there is no `Content-Type`.
///
/// Errors: 415 `unsupported_media_type` when the `Content-Type` cannot be read as a media type,
/// or names a charset other than UTF-8 (`utf-8`/`utf8` in any case, or `us-ascii`, which UTF-8
/// contains), with a message asking for UTF-8.
pub fn media_type(headers: &axum::http::HeaderMap) -> Result<String, ApiError> {
    let Some(raw) = headers.get(axum::http::header::CONTENT_TYPE) else {
        return Ok(String::new());
    };
    let text = raw.to_str().map_err(|_| unreadable_content_type())?;
    content_type(text)
}

/// [`media_type`] of one `Content-Type` value (a request's, or a multipart part's).
fn content_type(text: &str) -> Result<String, ApiError> {
    let parsed: mime::Mime = text.trim().parse().map_err(|_| unreadable_content_type())?;
    if let Some(charset) = parsed.get_param(mime::CHARSET) {
        let name = charset.as_str().to_ascii_lowercase();
        if !matches!(name.as_str(), "utf-8" | "utf8" | "us-ascii") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "the body is sent as charset={}; this API reads text as UTF-8 only: send it as UTF-8 \
                     (save the file as \"CSV UTF-8\", or convert it, e.g. iconv -f {} -t UTF-8) with charset=utf-8 or no charset",
                    charset.as_str(),
                    charset.as_str()
                ),
            ));
        }
    }
    Ok(parsed.essence_str().to_ascii_lowercase())
}

fn unreadable_content_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "the Content-Type header is not a media type (e.g. application/json, text/csv; charset=utf-8)",
    )
}

/// An uploaded file: the body itself when its media type is one of `raw` (e.g. `text/csv`), or the
/// one `file` part of a `multipart/form-data` body (what a browser's form sends). `what` names the
/// file in messages ("export", "CSV file").
///
/// Errors: 415 for another media type (naming the accepted ones); 400 `missing_file` for a form
/// without a `file` part, or with two (one file per upload: a second would be silently ignored;
/// an upload that takes several files uses [`uploads`]); 400 `unreadable_body` for a body or form
/// that cannot be read. Size limits are the body limit's (see `LARGE_BODY_ROUTES`).
pub async fn upload(req: Request, raw: &[&str], what: &str) -> Result<Bytes, ApiError> {
    let mut files = uploads(req, raw, what).await?;
    if files.len() > 1 {
        return Err(ApiError::bad_request(
            "missing_file",
            format!("the form has more than one `file` part: send one {what} per upload"),
        )
        .with_field("file"));
    }
    Ok(files.remove(0).bytes)
}

/// One file of an upload: its name (the form part's file name; empty for a raw body or a part
/// without one) and its bytes.
#[derive(Clone, Debug)]
pub struct Uploaded {
    pub name: String,
    pub bytes: Bytes,
}

/// The uploaded files: the body itself (one file) when its media type is one of `raw`, or every
/// `file` part of a `multipart/form-data` body, in order (at least one). Errors as [`upload`],
/// but several `file` parts are the point.
pub async fn uploads(req: Request, raw: &[&str], what: &str) -> Result<Vec<Uploaded>, ApiError> {
    let mime = media_type(req.headers())?;
    let unreadable = |e: String| ApiError::bad_request("unreadable_body", e);
    if raw.contains(&mime.as_str()) {
        let bytes = Bytes::from_request(req, &())
            .await
            .map_err(|e| unreadable(format!("the {what} could not be read: {e}")))?;
        return Ok(vec![Uploaded {
            name: String::new(),
            bytes,
        }]);
    }
    if mime != "multipart/form-data" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "send the {what} as {}, or as the `file` part of multipart/form-data",
                raw.join(", ")
            ),
        ));
    }
    let mut form = axum::extract::Multipart::from_request(req, &())
        .await
        .map_err(|e| unreadable(format!("the form could not be read: {e}")))?;
    let mut found = Vec::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| unreadable(format!("the form could not be read: {e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        // A part's own charset is held to the body's rule.
        if let Some(part_type) = field.content_type() {
            content_type(part_type)?;
        }
        let name = field.file_name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| unreadable(format!("the {what} could not be read: {e}")))?;
        found.push(Uploaded { name, bytes });
    }
    if found.is_empty() {
        return Err(ApiError::bad_request(
            "missing_file",
            format!("the form has no `file` part: send the {what} as the `file` field"),
        )
        .with_field("file"));
    }
    Ok(found)
}

/// `application/json` or a `+json` type.
pub fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

pub fn too_large() -> ApiError {
    too_large_for(MAX_BODY_BYTES)
}

/// 413 for a body over `limit` bytes.
pub fn too_large_for(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is larger than {limit} bytes"),
    )
}

/// Parses a request body: exactly one JSON object (every body of this API is one), naming the
/// field at fault. Anything after the object, or an array or scalar instead of it, is refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::bad_request(
            "invalid_json",
            "the body must be one JSON object ({...})",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = deserialize(de)?;
    de.end().map_err(|_| {
        ApiError::bad_request(
            "invalid_json",
            "the body must be one JSON object, with nothing after it",
        )
    })?;
    Ok(value)
}

fn deserialize<'de, T: DeserializeOwned>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = plain(&strip_position(&inner.to_string()));
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {message}"))
            }
            _ => {
                let field = field_of(&path, &message);
                let err = ApiError::bad_request("invalid_field", message);
                match field {
                    Some(f) => err.with_field(f),
                    None => err,
                }
            }
        }
    })
}

/// The field a serde error is about: its path, and for a missing field (which serde names only in
/// its message, "missing field `name`") the field under that path.
fn field_of(path: &str, message: &str) -> Option<String> {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    let parent = (path != "." && !path.is_empty()).then_some(path);
    match (parent, missing) {
        (Some(p), Some(m)) => Some(format!("{p}.{m}")),
        (None, Some(m)) => Some(m.to_string()),
        (Some(p), None) => Some(p.to_string()),
        (None, None) => None,
    }
}

/// serde_json appends " at line 1 column 42"; the field name says more.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A validated identifier from the path (`/customers/{code}`): a bad one is a 400 naming `field`.
pub fn path_id<T>(field: &str, raw: &str) -> Result<T, cc_domain::Error>
where
    T: TryFrom<String, Error = cc_domain::ids::IdError>,
{
    T::try_from(raw.to_string()).map_err(|e| cc_domain::Error::validation(field, e.to_string()))
}

/// The `{code}` of a customer route.
pub fn customer_code(raw: &str) -> Result<cc_domain::ids::CustomerCode, cc_domain::Error> {
    path_id("code", raw)
}

/// A customer code given as `customer` (a query parameter, or a `{customer}` path segment): a bad
/// one is a 400 naming `customer`.
pub fn customer_param(raw: &str) -> Result<cc_domain::ids::CustomerCode, cc_domain::Error> {
    path_id("customer", raw)
}

/// Query-string parameters; a bad value is a 400 naming the parameter.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded_deserializer(query);
        match de {
            Ok(v) => Ok(QueryParams(v)),
            Err((field, message)) => {
                let err = ApiError::bad_request("invalid_query", message);
                Err(match field {
                    Some(f) => err.with_field(f),
                    None => err,
                })
            }
        }
    }
}

/// Decodes the query string into a JSON object of strings, then into `T`, so the same
/// path-reporting deserialiser (and the same error messages) serves bodies and queries.
fn serde_urlencoded_deserializer<T: DeserializeOwned>(query: &str) -> Result<T, (Option<String>, String)> {
    let mut map = serde_json::Map::new();
    for (k, v) in url_pairs(query) {
        if map.insert(k.clone(), serde_json::Value::String(v)).is_some() {
            return Err((Some(k.clone()), format!("parameter '{k}' is given twice")));
        }
    }
    let value = serde_json::Value::Object(map);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let msg = plain(&e.into_inner().to_string());
        (field_of(&path, &msg), msg)
    })
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// serde names Rust types in its messages ("expected u32"); say what a person can send instead.
fn plain(message: &str) -> String {
    const TYPES: [(&str, &str); 9] = [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number from 0 to 4294967295"),
        ("expected u64", "expected a whole number of at least 0"),
        ("expected usize", "expected a whole number of at least 0"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f32", "expected a number"),
        ("expected f64", "expected a number"),
    ];
    for (rust, said) in TYPES {
        if let Some(rest) = message.strip_suffix(rust) {
            return format!("{rest}{said}");
        }
    }
    message.to_string()
}

/// Days in query strings, as `YYYY-MM-DD` (UTC calendar days).
pub mod day {
    use serde::{Deserialize, Deserializer};

    pub fn opt<'de, D: Deserializer<'de>>(de: D) -> Result<Option<time::Date>, D::Error> {
        match Option::<String>::deserialize(de)? {
            None => Ok(None),
            Some(s) => time::Date::parse(&s, time::macros::format_description!("[year]-[month]-[day]"))
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("'{s}' is not a day; give it as YYYY-MM-DD"))),
        }
    }

    /// A calendar month as `YYYY-MM`, read as its first day.
    pub fn opt_month<'de, D: Deserializer<'de>>(de: D) -> Result<Option<time::Date>, D::Error> {
        match Option::<String>::deserialize(de)? {
            None => Ok(None),
            Some(s) => time::Date::parse(
                &format!("{s}-01"),
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .ok()
            .filter(|_| s.len() == 7)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("'{s}' is not a month; give it as YYYY-MM"))),
        }
    }
}

/// A number in a query string arrives as a string; accept both forms.
pub mod num {
    use serde::{Deserialize, Deserializer};

    pub fn opt_usize<'de, D: Deserializer<'de>>(de: D) -> Result<Option<usize>, D::Error> {
        match Option::<String>::deserialize(de)? {
            None => Ok(None),
            // `version=` is not "no version": an empty number is refused, never read as absent.
            Some(s) if s.is_empty() => Err(serde::de::Error::custom(
                "the value is empty; give a whole number or leave the parameter out",
            )),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("'{s}' is not a whole number"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u8,
    }

    fn form(parts: &[&str]) -> Request {
        let mut body = String::new();
        for p in parts {
            body.push_str(&format!(
                "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{p}\"\r\n\r\n{p}\r\n"
            ));
        }
        body.push_str("--b--\r\n");
        Request::builder()
            .header("content-type", "multipart/form-data; boundary=b")
            .body(axum::body::Body::from(body))
            .unwrap()
    }

    #[tokio::test]
    async fn one_file_uploads_refuse_a_second_file_and_many_file_uploads_take_each_in_order() {
        let e = upload(form(&["a.csv", "b.csv"]), &["text/csv"], "CSV file")
            .await
            .unwrap_err();
        assert_eq!((e.code.as_str(), e.field.as_deref()), ("missing_file", Some("file")));
        assert!(e.message.contains("more than one"), "{}", e.message);
        assert_eq!(
            &upload(form(&["a.csv"]), &["text/csv"], "CSV file").await.unwrap()[..],
            b"a.csv"
        );
        let files = uploads(form(&["a.csv", "b.csv"]), &["text/csv"], "export")
            .await
            .unwrap();
        let got: Vec<(&str, &[u8])> = files.iter().map(|f| (f.name.as_str(), &f.bytes[..])).collect();
        assert_eq!(got, vec![("a.csv", &b"a.csv"[..]), ("b.csv", &b"b.csv"[..])]);
        let e = uploads(form(&[]), &["text/csv"], "export").await.unwrap_err();
        assert_eq!(e.code, "missing_file");
    }

    fn typed(content_type: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert(axum::http::header::CONTENT_TYPE, content_type.parse().unwrap());
        h
    }

    #[test]
    fn a_charset_other_than_utf_8_is_415_asking_for_utf_8() {
        for ok in [
            ("application/json", "application/json"),
            ("application/json; charset=utf-8", "application/json"),
            ("Application/JSON; Charset=\"UTF-8\"", "application/json"),
            ("text/csv;charset=UTF8", "text/csv"),
            ("text/csv; charset=us-ascii", "text/csv"),
            ("multipart/form-data; boundary=b", "multipart/form-data"),
        ] {
            assert_eq!(media_type(&typed(ok.0)).unwrap(), ok.1, "{}", ok.0);
        }
        assert_eq!(media_type(&axum::http::HeaderMap::new()).unwrap(), "");
        for bad in [
            "text/csv; charset=iso-8859-1",
            "application/json; charset=windows-1252",
            "application/json;charset=UTF-16",
            "multipart/form-data; boundary=b; charset=latin1",
        ] {
            let e = media_type(&typed(bad)).unwrap_err();
            assert_eq!(
                (e.status, e.code.as_str()),
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
                "{bad}"
            );
            assert!(e.message.contains("UTF-8"), "{bad}: {}", e.message);
        }
        let e = media_type(&typed("not a type")).unwrap_err();
        assert_eq!(e.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    #[tokio::test]
    async fn json_bodies_and_uploads_in_another_charset_are_415_and_so_is_a_form_file_part() {
        let req = |content_type: &str, body: &[u8]| {
            Request::builder()
                .header("content-type", content_type)
                .body(axum::body::Body::from(body.to_vec()))
                .unwrap()
        };
        let Err(e) = JsonBody::<serde_json::Value>::from_request(
            req("application/json; charset=iso-8859-1", br#"{"name":"Caf\xe9"}"#),
            &(),
        )
        .await
        else {
            panic!("a Latin-1 JSON body was read")
        };
        assert_eq!(e.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let e = upload(
            req("text/csv; charset=iso-8859-1", b"a\ncaf\xe9\n"),
            &["text/csv"],
            "CSV file",
        )
        .await
        .unwrap_err();
        assert_eq!(e.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(e.message.contains("UTF-8"), "{}", e.message);
        let form = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\
                    Content-Type: text/csv; charset=windows-1252\r\n\r\na\r\n--b--\r\n";
        let e = upload(
            req("multipart/form-data; boundary=b", form.as_bytes()),
            &["text/csv"],
            "CSV file",
        )
        .await
        .unwrap_err();
        assert_eq!(e.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", e.message);
        let form = form.replace("; charset=windows-1252", "; charset=utf-8");
        assert_eq!(
            &upload(
                req("multipart/form-data; boundary=b", form.as_bytes()),
                &["text/csv"],
                "CSV file"
            )
            .await
            .unwrap()[..],
            b"a"
        );
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"name":"x","inner":{"count":300}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("inner.count"));
        assert_eq!(e.code, "invalid_field");
        let e = parse_json::<Body>(br#"{"name":"x","inner":{"count":1},"extra":1}"#).unwrap_err();
        assert!(e.message.contains("unknown field"), "{}", e.message);
        let e = parse_json::<Body>(br#"{"name":"#).unwrap_err();
        assert_eq!(e.code, "invalid_json");
        let e = parse_json::<Body>(br#"{"inner":{"count":1}}"#).unwrap_err();
        assert_eq!((e.code.as_str(), e.field.as_deref()), ("invalid_field", Some("name")));
        let e = parse_json::<Body>(br#"{"name":"x","inner":{}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("inner.count"));
    }

    /// A policy PUT replaces the whole policy: a missing field is named, not reset to its default.
    #[test]
    fn a_partial_approval_policy_is_refused_naming_the_missing_field() {
        let e = parse_json::<cc_domain::access::ApprovalPolicy>(br#"{"approvals_required":2,"approver_roles":["lead"],"max_duration_minutes":60,"approval_window_minutes":30}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("ticket_required"), "{}", e.message);
        let whole = br#"{"approvals_required":2,"approver_roles":["lead"],"max_duration_minutes":60,"approval_window_minutes":30,"ticket_required":true,"ticket_pattern":null,"requester_roles":["engineer"],"approvers_off_team":["lead"]}"#;
        let p = parse_json::<cc_domain::access::ApprovalPolicy>(whole).unwrap();
        assert_eq!((p.approvals_required, p.ticket_required, p.version), (2, true, 0));
    }

    #[test]
    fn a_body_is_exactly_one_object() {
        let ok = br#" {"name":"x","inner":{"count":1}} "#;
        assert!(parse_json::<Body>(ok).is_ok());
        for bad in [
            &br#"{"name":"x","inner":{"count":1}}{"name":"y"}"#[..],
            br#"{"name":"x","inner":{"count":1}} trailing"#,
            br#"{"name":"x","inner":{"count":1}}]]]"#,
            br#"["x",{"count":1}]"#,
            br#""x""#,
            b"",
        ] {
            let e = parse_json::<Body>(bad).unwrap_err();
            assert_eq!(e.code, "invalid_json", "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn type_errors_say_what_to_send_not_the_rust_type() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Minutes {
            duration_minutes: u32,
        }
        for (body, said) in [
            (
                &br#"{"duration_minutes": 12.5}"#[..],
                "floating point `12.5`, expected a whole number from 0 to 4294967295",
            ),
            (
                br#"{"duration_minutes": -3}"#,
                "integer `-3`, expected a whole number from 0 to 4294967295",
            ),
            (
                br#"{"duration_minutes": "ten"}"#,
                "string \"ten\", expected a whole number from 0 to 4294967295",
            ),
        ] {
            let e = parse_json::<Minutes>(body).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("duration_minutes"));
            assert!(e.message.ends_with(said), "{}", e.message);
        }
    }

    #[test]
    fn a_missing_or_bad_query_parameter_is_named() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Q {
            from: String,
            to: String,
            #[serde(default)]
            at: Option<bool>,
        }
        let (field, message) = serde_urlencoded_deserializer::<Q>("from=1").unwrap_err();
        assert_eq!(field.as_deref(), Some("to"), "{message}");
        let (field, _) = serde_urlencoded_deserializer::<Q>("from=1&to=2&at=x").unwrap_err();
        assert_eq!(field.as_deref(), Some("at"));
    }

    #[test]
    fn query_strings_decode() {
        assert_eq!(
            url_pairs("q=a%20b+c%2F&p=100%"),
            vec![("q".into(), "a b c/".into()), ("p".into(), "100%".into())]
        );
        assert_eq!(
            url_pairs("q=acme+prod&limit=5"),
            vec![("q".into(), "acme prod".into()), ("limit".into(), "5".into())]
        );
    }
}
