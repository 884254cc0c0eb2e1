//! Unknown query parameters are refused (400 naming the parameter) on every route, whether it takes
//! parameters or not: a typo'd filter (`?custmer=acme`, `/utilisation/portfolio?foo=1`) would
//! otherwise do nothing, silently, and the answer would look like the unfiltered truth.
//!
//! What a route takes is its OpenAPI document's (the function's own document is the truth about
//! its routes, DESIGN.md): [`QueryRules::from_openapi`] reads each operation's `in: query`
//! parameters, so a route's rule and its documentation cannot drift apart. The local server's
//! routes outside any document (health, signed local downloads, the demo sign-in) are named with
//! [`QueryRules::allow`]; a route in neither takes no parameters.
//!
//! When the refusal is given keeps the API's order of answers:
//! - a public operation (no token needed, `security: [{}]` in its document, or a local route) is
//!   answered 400 at once ([`check`], a layer of `layers::finish`);
//! - an operation that needs a token is answered by its caller extractor ([`crate::Caller`],
//!   [`crate::Admin`], ...) once the caller is authenticated, and for [`crate::Admin`] after the
//!   role was checked, so a request without a token is still 401, and a non-admin on an admin
//!   route still 403 ("authorisation before validation", `layers::finish`), never a 400.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::ApiError;

/// The query parameters of one operation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Operation {
    params: BTreeSet<String>,
    /// No token needed: the refusal is answered at once.
    public: bool,
}

/// Which query parameters each route (path template, as axum matches it, and method) takes.
#[derive(Clone, Debug, Default)]
pub struct QueryRules(Arc<BTreeMap<(String, Method), Operation>>);

impl QueryRules {
    /// The rules of an OpenAPI document: each operation's `in: query` parameters (its own and
    /// its path item's), public when its `security` is only the empty requirement.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> QueryRules {
        let value = serde_json::to_value(doc).unwrap_or_default();
        let mut rules = BTreeMap::new();
        let Some(paths) = value.get("paths").and_then(Value::as_object) else {
            return QueryRules::default();
        };
        let query_names = |params: Option<&Value>| -> BTreeSet<String> {
            params
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
                .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        };
        for (path, item) in paths {
            let shared = query_names(item.get("parameters"));
            let Some(item) = item.as_object() else { continue };
            for (method, op) in item {
                let Ok(method) = method.to_ascii_uppercase().parse::<Method>() else {
                    continue;
                };
                if !op.is_object() {
                    continue;
                }
                let mut params = shared.clone();
                params.extend(query_names(op.get("parameters")));
                let public = op.get("security").and_then(Value::as_array).is_some_and(|reqs| {
                    reqs.iter()
                        .all(|r| r.as_object().is_some_and(serde_json::Map::is_empty))
                });
                rules.insert((path.clone(), method), Operation { params, public });
            }
        }
        QueryRules(Arc::new(rules))
    }

    /// The rules as text: a comment line, then one operation a line, sorted,
    /// `METHOD PATH public|token [param ...]`. What each function's `query-rules.txt` holds, so a
    /// Lambda reads its rules with [`QueryRules::from_text`] instead of building its whole OpenAPI
    /// document at start-up (about 40 million instructions, most of a cold start's own work:
    /// issue #16); each function's tests check the file against the document
    /// ([`crate::testing::query_rules_file_matches`]).
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# Generated from this function's OpenAPI document, checked by its tests; CC_BLESS=1 and its tests rewrite it.\n",
        );
        for ((path, method), op) in self.0.iter() {
            out.push_str(&format!(
                "{method} {path} {}",
                if op.public { "public" } else { "token" }
            ));
            for p in &op.params {
                out.push(' ');
                out.push_str(p);
            }
            out.push('\n');
        }
        out
    }

    /// Reads [`QueryRules::to_text`]'s form (`#` lines and blank lines skipped).
    ///
    /// Errors: a line without a method, path and `public`/`token`, naming the line.
    pub fn from_text(text: &str) -> Result<QueryRules, String> {
        let mut rules = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let bad = || {
                format!(
                    "line {}: expected 'METHOD PATH public|token [param ...]': {line}",
                    i + 1
                )
            };
            let method = words.next().and_then(|m| m.parse::<Method>().ok()).ok_or_else(bad)?;
            let path = words.next().ok_or_else(bad)?;
            let public = match words.next() {
                Some("public") => true,
                Some("token") => false,
                _ => return Err(bad()),
            };
            let params = words.map(str::to_string).collect();
            rules.insert((path.to_string(), method), Operation { params, public });
        }
        Ok(QueryRules(Arc::new(rules)))
    }

    /// A function's rules from its generated `query-rules.txt` (`include_str!`), which its tests
    /// keep equal to its document.
    ///
    /// Panics: when the text is not [`QueryRules::to_text`]'s form, which those tests rule out.
    pub fn generated(text: &str) -> QueryRules {
        QueryRules::from_text(text).unwrap_or_else(|e| panic!("query-rules.txt: {e}"))
    }

    /// These rules and the operations of `other` (the local server's merged documents).
    pub fn merge(self, other: QueryRules) -> QueryRules {
        let mut all = Arc::unwrap_or_clone(self.0);
        all.extend(Arc::unwrap_or_clone(other.0));
        QueryRules(Arc::new(all))
    }

    /// A route outside the documents (the local server's own) that takes `params`; public, as
    /// those routes are.
    pub fn allow(self, method: Method, path: &str, params: &[&str]) -> QueryRules {
        let mut all = Arc::unwrap_or_clone(self.0);
        all.insert(
            (path.to_string(), method),
            Operation {
                params: params.iter().map(|p| p.to_string()).collect(),
                public: true,
            },
        );
        QueryRules(Arc::new(all))
    }

    /// The operation of a matched route; HEAD is its GET.
    fn operation(&self, path: &str, method: &Method) -> Option<&Operation> {
        let method = if method == Method::HEAD { &Method::GET } else { method };
        self.0.get(&(path.to_string(), method.clone()))
    }

    /// Whether the route `path` (a template) takes `method`: for the tests that walk the rules.
    pub fn operations(&self) -> impl Iterator<Item = (&str, &Method, bool)> {
        self.0.iter().map(|((p, m), op)| (p.as_str(), m, op.public))
    }
}

/// Query parameters the matched route does not take, found by [`check`]; the caller extractors
/// answer them ([`refuse_unknown`]).
#[derive(Clone, Debug)]
pub struct UnknownQuery {
    names: Vec<String>,
    takes: Vec<String>,
}

impl UnknownQuery {
    fn error(&self) -> ApiError {
        let takes = if self.takes.is_empty() {
            "this route takes no query parameters".to_string()
        } else {
            format!("this route takes: {}", self.takes.join(", "))
        };
        let names: Vec<String> = self.names.iter().map(|n| format!("'{n}'")).collect();
        let what = if names.len() == 1 {
            format!("unknown query parameter {}", names[0])
        } else {
            format!("unknown query parameters {}", names.join(", "))
        };
        ApiError::bad_request("invalid_query", format!("{what}; {takes}")).with_field(self.names[0].clone())
    }
}

/// 400 naming the first unknown parameter when [`check`] found any: each caller extractor calls
/// this once the caller is authenticated (and, on admin routes, the role noted).
pub fn refuse_unknown(parts: &Parts) -> Result<(), ApiError> {
    match parts.extensions.get::<UnknownQuery>() {
        Some(unknown) => Err(unknown.error()),
        None => Ok(()),
    }
}

/// The names in `query` the operation does not take, in order, each once.
fn unknown_names(query: &str, op: Option<&Operation>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (name, _) in form_urlencoded::parse(query.as_bytes()) {
        let known = op.is_some_and(|op| op.params.contains(name.as_ref()));
        if !known && !out.iter().any(|n| n == name.as_ref()) {
            out.push(name.into_owned());
        }
    }
    out
}

/// The layer: finds the query parameters the matched route does not take; answers 400 at once
/// for a public route (or one outside the rules), else leaves the answer to the caller extractor
/// ([`UnknownQuery`]). A request no route matched goes on to the 404 / 405 answers.
pub async fn check(State(rules): State<QueryRules>, mut req: Request, next: Next) -> Response {
    let Some(query) = req.uri().query().filter(|q| !q.is_empty()).map(str::to_string) else {
        return next.run(req).await;
    };
    let Some(path) = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        return next.run(req).await;
    };
    let op = rules.operation(&path, req.method());
    let documented_methods = rules.0.keys().any(|(p, _)| *p == path);
    if op.is_none() && documented_methods {
        // A method the route does not take: its 405.
        return next.run(req).await;
    }
    let names = unknown_names(&query, op);
    if names.is_empty() {
        return next.run(req).await;
    }
    let unknown = UnknownQuery {
        names,
        takes: op.map(|o| o.params.iter().cloned().collect()).unwrap_or_default(),
    };
    if op.is_none_or(|o| o.public) {
        return unknown.error().into_response();
    }
    req.extensions_mut().insert(unknown);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[utoipa::path(get, path = "/api/v1/things", params(("customer" = String, Query), ("limit" = Option<u32>, Query)),
        responses((status = 200, description = "ok")))]
    #[allow(dead_code)]
    fn list() {}

    #[utoipa::path(post, path = "/api/v1/things/{id}", params(("id" = String, Path)), responses((status = 200, description = "ok")))]
    #[allow(dead_code)]
    fn write() {}

    #[utoipa::path(get, path = "/api/v1/open", security(()), responses((status = 200, description = "ok")))]
    #[allow(dead_code)]
    fn open() {}

    #[derive(utoipa::OpenApi)]
    #[openapi(paths(list, write, open))]
    struct Doc;

    #[test]
    fn the_rules_are_each_operations_documented_query_parameters() {
        let rules = QueryRules::from_openapi(&<Doc as utoipa::OpenApi>::openapi());
        let list = rules.operation("/api/v1/things", &Method::GET).unwrap();
        assert_eq!(
            list.params,
            BTreeSet::from(["customer".to_string(), "limit".to_string()])
        );
        assert!(!list.public);
        assert_eq!(rules.operation("/api/v1/things", &Method::HEAD), Some(list));
        let write = rules.operation("/api/v1/things/{id}", &Method::POST).unwrap();
        assert!(write.params.is_empty(), "a path parameter is not a query parameter");
        assert!(rules.operation("/api/v1/open", &Method::GET).unwrap().public);
        assert!(rules.operation("/api/v1/things", &Method::DELETE).is_none());
        assert_eq!(
            unknown_names("customer=a&custmer=b&foo=1&foo=2&limit=3", Some(list)),
            ["custmer", "foo"]
        );
        assert_eq!(unknown_names("a%20b=1", None), ["a b"]);
        // The generated text reads back as the same rules.
        let text = rules.to_text();
        let back = QueryRules::from_text(&text).unwrap();
        assert_eq!(back.0, rules.0);
        assert!(text.contains("GET /api/v1/things token customer limit\n"), "{text}");
        assert!(text.contains("GET /api/v1/open public\n"), "{text}");
        assert!(QueryRules::from_text("GET /x maybe").unwrap_err().contains("line 1"));
        let e = UnknownQuery {
            names: vec!["foo".into()],
            takes: vec![],
        }
        .error();
        assert_eq!((e.code.as_str(), e.field.as_deref()), ("invalid_query", Some("foo")));
        assert_eq!(
            e.message,
            "unknown query parameter 'foo'; this route takes no query parameters"
        );
    }
}
