//! What changed between two snapshots, by path: a structural diff of their JSON.
//!
//! Paths read like `billing.data.currencies[USD].by_account[111111111111].amount`. Lists whose
//! items all carry one identifying field (an id, an account, a service, a day, a month, a currency,
//! ...) are matched by that field's value, so an account that enters the list shows as one added
//! entry rather than every later entry shifting; other lists are compared by position (`[0]`).
//! Changes come in document order (an object's fields by name), so the same two snapshots always
//! give the same list.

use serde_json::Value;

/// One difference.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    /// The value in the older version (absent when added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = any_json)]
    pub from: Option<Value>,
    /// The value in the newer version (absent when removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = any_json)]
    pub to: Option<Value>,
}

/// Any JSON value (a changed field may be a number, a string, an object, a list or null).
fn any_json() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::String,
            Type::Number,
            Type::Boolean,
            Type::Object,
            Type::Array,
            Type::Null,
        ]))
        .build()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// The fields that identify a list's items, tried in order.
const KEYS: [&str; 10] = [
    "id",
    "request_id",
    "account",
    "service",
    "day",
    "month",
    "currency",
    "control_id",
    "severity",
    "key",
];

/// Every difference from `a` to `b`.
pub fn diff(a: &Value, b: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", a, b, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<Change>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut names: Vec<&String> = x.keys().chain(y.keys()).collect();
            names.sort();
            names.dedup();
            for n in names {
                let p = if path.is_empty() {
                    n.clone()
                } else {
                    format!("{path}.{n}")
                };
                match (x.get(n), y.get(n)) {
                    (Some(u), Some(v)) => walk(&p, u, v, out),
                    (Some(u), None) => out.push(removed(p, u)),
                    (None, Some(v)) => out.push(added(p, v)),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => match list_key(x, y) {
            Some(k) => {
                let id = |v: &Value| key_text(&v[k]);
                let mut seen = std::collections::BTreeSet::new();
                for u in x {
                    let key = id(u);
                    seen.insert(key.clone());
                    let p = format!("{path}[{key}]");
                    match y.iter().find(|v| id(v) == key) {
                        Some(v) => walk(&p, u, v, out),
                        None => out.push(removed(p, u)),
                    }
                }
                for v in y.iter().filter(|v| !seen.contains(&id(v))) {
                    out.push(added(format!("{path}[{}]", id(v)), v));
                }
            }
            None => {
                for i in 0..x.len().max(y.len()) {
                    let p = format!("{path}[{i}]");
                    match (x.get(i), y.get(i)) {
                        (Some(u), Some(v)) => walk(&p, u, v, out),
                        (Some(u), None) => out.push(removed(p, u)),
                        (None, Some(v)) => out.push(added(p, v)),
                        (None, None) => {}
                    }
                }
            }
        },
        _ if a == b => {}
        _ => out.push(Change {
            path: path.to_string(),
            kind: ChangeKind::Changed,
            from: Some(a.clone()),
            to: Some(b.clone()),
        }),
    }
}

/// The identifying field of two lists: the first of [`KEYS`] that every item of both has as a
/// string or number, unique within each list.
fn list_key<'a>(x: &[Value], y: &[Value]) -> Option<&'a str> {
    if x.is_empty() && y.is_empty() {
        return None;
    }
    KEYS.into_iter().find(|k| {
        [x, y].iter().all(|list| {
            let mut seen = std::collections::BTreeSet::new();
            list.iter().all(|v| {
                matches!(v.get(*k), Some(Value::String(_) | Value::Number(_))) && seen.insert(key_text(&v[*k]))
            })
        })
    })
}

fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn added(path: String, v: &Value) -> Change {
    Change {
        path,
        kind: ChangeKind::Added,
        from: None,
        to: Some(v.clone()),
    }
}

fn removed(path: String, v: &Value) -> Change {
    Change {
        path,
        kind: ChangeKind::Removed,
        from: Some(v.clone()),
        to: None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn identical_documents_have_no_change() {
        let v = json!({"a": [1, 2], "b": {"c": null}});
        assert!(diff(&v, &v).is_empty());
    }

    #[test]
    fn keyed_lists_match_by_their_key_and_plain_lists_by_position() {
        let a = json!({
            "summary": {"status": "ready", "data": {"markdown": "old"}},
            "accounts": [{"account": "111", "amount": 10.0}, {"account": "222", "amount": 5.0}],
            "tags": ["x", "y"]
        });
        let b = json!({
            "summary": {"status": "missing", "reason": "no_data", "message": "none"},
            "accounts": [{"account": "333", "amount": 1.0}, {"account": "111", "amount": 12.5}],
            "tags": ["x"]
        });
        let got: Vec<(String, ChangeKind)> = diff(&a, &b).into_iter().map(|c| (c.path, c.kind)).collect();
        assert_eq!(
            got,
            vec![
                ("accounts[111].amount".to_string(), ChangeKind::Changed),
                ("accounts[222]".to_string(), ChangeKind::Removed),
                ("accounts[333]".to_string(), ChangeKind::Added),
                ("summary.data".to_string(), ChangeKind::Removed),
                ("summary.message".to_string(), ChangeKind::Added),
                ("summary.reason".to_string(), ChangeKind::Added),
                ("summary.status".to_string(), ChangeKind::Changed),
                ("tags[1]".to_string(), ChangeKind::Removed),
            ]
        );
        let changed = &diff(&a, &b)[0];
        assert_eq!(
            (changed.from.clone(), changed.to.clone()),
            (Some(json!(10.0)), Some(json!(12.5)))
        );
    }
}
