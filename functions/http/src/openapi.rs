//! What every function's OpenAPI document shares: the error answers the plumbing gives on any
//! route (401 and 403 from the caller extractors, 400/413/415 from the path, query and body
//! extractors, 404 for an unknown item, 409 for a lost race on a write), each with the one error
//! body, and schemas for the identifiers that have no domain type of their own.

use serde_json::{Value, json};
use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::error::{ErrorBody, ErrorDetail};

/// A breakglass request's id (a lower-case ULID), as path parameters take it.
pub struct RequestId;

impl PartialSchema for RequestId {
    fn schema() -> RefOr<Schema> {
        ulid_schema("breakglass request id (lower-case ULID)")
    }
}
impl ToSchema for RequestId {}

/// A contact's id (a lower-case ULID).
pub struct ContactId;

impl PartialSchema for ContactId {
    fn schema() -> RefOr<Schema> {
        ulid_schema("contact id (lower-case ULID)")
    }
}
impl ToSchema for ContactId {}

fn ulid_schema(what: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(what))
        .pattern(Some("^[0-9a-z]{26}$"))
        .min_length(Some(26))
        .max_length(Some(26))
        .into()
}

#[derive(OpenApi)]
#[openapi(components(schemas(ErrorBody, ErrorDetail)))]
struct Errors;

/// `doc` with every error answer its operations can give documented (an answer the operation
/// already describes is kept as it is):
/// - 401 and 403 on every operation that needs a token (a missing or bad token; a role the route
///   needs, or, with the people directory, a subject it does not know);
/// - 400 where the operation takes parameters or a body; 404 where its path or a filter names
///   an item;
/// - 413 and 415 where it takes a body; 409 on every write (a stale `version`, a state that no
///   longer allows it).
pub fn complete(mut doc: Document) -> Document {
    doc.merge(Errors::openapi());
    let mut value = serde_json::to_value(&doc).expect("an OpenAPI document serialises");
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            let shared_params = item
                .get("parameters")
                .is_some_and(|p| p.as_array().is_some_and(|a| !a.is_empty()));
            for (method, op) in item.iter_mut() {
                if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    continue;
                }
                complete_operation(path, method, op, shared_params);
            }
        }
    }
    serde_json::from_value(value).expect("the completed document deserialises")
}

fn complete_operation(path: &str, method: &str, op: &mut Value, shared_params: bool) {
    let public = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|reqs| reqs.iter().all(|r| r.as_object().is_some_and(|o| o.is_empty())));
    let has_params = shared_params
        || op
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty());
    let has_body = op.get("requestBody").is_some();
    let mut add = Vec::new();
    if !public {
        add.push(("401", "No token, or a token that is not valid"));
        add.push(("403", "The caller may not do this"));
    }
    if has_params || has_body {
        add.push((
            "400",
            "A path, query or body value that is not valid; the field is named",
        ));
    }
    if path.contains('{') || (has_params && !public) {
        add.push((
            "404",
            "No such item (or not visible to the caller), also one a filter names",
        ));
    }
    if has_body {
        add.push(("413", "The body is larger than 1 MiB"));
        add.push(("415", "The body is not sent as application/json"));
    }
    if method != "get" {
        add.push(("409", "A stale `version`, or the item's state no longer allows this"));
    }
    if add.is_empty() {
        return;
    }
    let Some(op) = op.as_object_mut() else { return };
    let responses = op.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else {
        return;
    };
    for (status, description) in add {
        responses.entry(status).or_insert_with(|| error_response(description));
    }
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[utoipa::path(post, path = "/api/v1/things/{id}", params(("id" = inline(RequestId), Path)), request_body = String,
        responses((status = 200, description = "ok")))]
    #[allow(dead_code)]
    fn write() {}

    #[utoipa::path(get, path = "/api/v1/open", security(()), responses((status = 200, description = "ok")))]
    #[allow(dead_code)]
    fn open() {}

    #[derive(OpenApi)]
    #[openapi(paths(write, open))]
    struct Doc;

    #[test]
    fn every_error_answer_is_documented_with_the_error_body() {
        let doc = serde_json::to_value(complete(Doc::openapi())).unwrap();
        let responses = &doc["paths"]["/api/v1/things/{id}"]["post"]["responses"];
        for status in ["200", "400", "401", "403", "404", "409", "413", "415"] {
            assert!(responses.get(status).is_some(), "{status}: {responses}");
        }
        assert_eq!(
            responses["401"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
        let param = &doc["paths"]["/api/v1/things/{id}"]["post"]["parameters"][0]["schema"];
        assert_eq!(param["pattern"], "^[0-9a-z]{26}$");
        let open = &doc["paths"]["/api/v1/open"]["get"]["responses"];
        assert_eq!(
            open.as_object().unwrap().len(),
            1,
            "a public read without parameters: {open}"
        );
    }
}
