//! Replays sample API Gateway events (`events/<function>/*.json`) through a function's router,
//! through the same Lambda entry as the functions (`crate::lambda`). Used by every function's
//! handler tests.

use std::path::{Path, PathBuf};

use axum::Router;

use crate::lambda::Adapter;

/// The sample events of one function, `events/<function>/`, from a crate inside `functions/`.
pub fn events_dir(manifest_dir: &str, function: &str) -> PathBuf {
    Path::new(manifest_dir).join("../../events").join(function)
}

/// The event names in a directory, sorted (the order they are replayed in).
pub fn event_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap_or_default().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Replays each `(name, expected status)` in order; panics on a parse failure or a status that
/// differs. Returns each response body as JSON (`null` when empty).
pub async fn replay(router: &Router, dir: &Path, expected: &[(&str, u16)]) -> Vec<serde_json::Value> {
    let names: Vec<String> = expected.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        event_names(dir),
        names,
        "every event file in {} has an expectation",
        dir.display()
    );
    let adapter = Adapter::new(router.clone(), None).unwrap();
    let mut bodies = Vec::new();
    for (name, status) in expected {
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let event = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let answer = adapter
            .answer(event, None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let body = answer.body_bytes();
        assert_eq!(answer.status(), *status, "{name}: {}", String::from_utf8_lossy(&body));
        bodies.push(serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null));
    }
    bodies
}
