//! The `customers` binary as Lambda runs it: a fake Runtime API on 127.0.0.1 hands one process
//! every event in `events/lambda-entry/` in turn and takes its answers. Each odd event must get
//! its answer (status and error code) and the process must still be running at the end.

use std::collections::VecDeque;
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;
use tokio::sync::mpsc;

/// `(event, status, error code)`; no status: not an HTTP event, reported to Lambda as an error.
const EXPECTED: &[(&str, Option<u16>, Option<&str>)] = &[
    ("01-v2-get", Some(200), None),
    ("02-query-raw-quote-and-angle-brackets", Some(200), None),
    ("03-body-bad-base64", Some(400), Some("invalid_body_encoding")),
    ("04-forwarded-proto-list", Some(200), None),
    ("05-host-bad-port", Some(400), Some("invalid_host")),
    ("06-v1-get", Some(200), None),
    ("07-v1-post", Some(201), None),
    ("08-named-stage", Some(200), None),
    ("09-base-path", Some(200), None),
    // The hub has no audit route; the 413 for an answer over 6 MB is tested in cc-http with a
    // route that answers 7.5 MB.
    ("10-huge-response", Some(404), Some("no_such_route")),
    ("11-v2-without-request-context", Some(400), Some("malformed_event")),
    ("12-not-an-http-event", None, None),
];

const RUNTIME: &str = "/2018-06-01/runtime";

#[derive(Debug)]
enum Outcome {
    Response(Value),
    Error(Value),
}

#[derive(Clone)]
struct FakeRuntime {
    events: Arc<Mutex<VecDeque<(String, String)>>>,
    outcomes: mpsc::UnboundedSender<(String, Outcome)>,
}

async fn next_invocation(State(rt): State<FakeRuntime>) -> Response {
    let next = rt.events.lock().unwrap().pop_front();
    let Some((id, event)) = next else {
        // No more events: the function waits here, as it would in Lambda, until it is stopped.
        return std::future::pending().await;
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    let headers = [
        ("lambda-runtime-aws-request-id", id),
        ("lambda-runtime-deadline-ms", (now + 60_000).to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-west-1:111122223333:function:customers".to_string(),
        ),
        ("content-type", "application/json".to_string()),
    ];
    (headers, event).into_response()
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()))
}

async fn response(State(rt): State<FakeRuntime>, Path(id): Path<String>, body: String) -> StatusCode {
    let _ = rt.outcomes.send((id, Outcome::Response(json(&body))));
    StatusCode::ACCEPTED
}

async fn error(State(rt): State<FakeRuntime>, Path(id): Path<String>, body: String) -> StatusCode {
    let _ = rt.outcomes.send((id, Outcome::Error(json(&body))));
    StatusCode::ACCEPTED
}

async fn init_error(State(rt): State<FakeRuntime>, body: String) -> StatusCode {
    let _ = rt.outcomes.send(("init".into(), Outcome::Error(json(&body))));
    StatusCode::ACCEPTED
}

/// Stops the function however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_odd_event_is_answered_and_the_function_lives_on() {
    let dir = cc_http::testing::events_dir(env!("CARGO_MANIFEST_DIR"), "lambda-entry");
    let names = cc_http::testing::event_names(&dir);
    let expected: Vec<&str> = EXPECTED.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(names, expected, "every event file has an expectation");
    let events = names
        .iter()
        .map(|n| {
            (
                n.clone(),
                std::fs::read_to_string(dir.join(format!("{n}.json"))).unwrap(),
            )
        })
        .collect();

    let (tx, mut outcomes) = mpsc::unbounded_channel();
    let rt = FakeRuntime {
        events: Arc::new(Mutex::new(events)),
        outcomes: tx,
    };
    let app = Router::new()
        .route(&format!("{RUNTIME}/invocation/next"), get(next_invocation))
        .route(&format!("{RUNTIME}/invocation/{{id}}/response"), post(response))
        .route(&format!("{RUNTIME}/invocation/{{id}}/error"), post(error))
        .route(&format!("{RUNTIME}/init/error"), post(init_error))
        .with_state(rt);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let data = tempfile::tempdir().unwrap();
    let mut function = Running(
        Command::new(env!("CARGO_BIN_EXE_customers"))
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "customers")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", "eu-west-1")
            .env("CC_STORE", "embedded")
            .env("CC_DATA_DIR", data.path())
            .env("CC_JWT_SECRET", "lambda-entry-test-secret-of-32-characters-or-more")
            .env("CC_BASE_PATH", "/cc")
            .env("RUST_LOG", "warn")
            .spawn()
            .unwrap(),
    );

    let started = Instant::now();
    let mut answers = Vec::new();
    while answers.len() < EXPECTED.len() {
        match tokio::time::timeout(Duration::from_millis(200), outcomes.recv()).await {
            Ok(Some((id, outcome))) => {
                assert_ne!(id, "init", "the function failed to start: {outcome:?}");
                answers.push((id, outcome));
            }
            Ok(None) => unreachable!("the fake runtime holds a sender"),
            Err(_) => {
                if let Some(status) = function.0.try_wait().unwrap() {
                    panic!(
                        "the function stopped ({status}) after {} answers: {answers:?}",
                        answers.len()
                    );
                }
                assert!(
                    started.elapsed() < Duration::from_secs(120),
                    "timed out after {} answers: {answers:?}",
                    answers.len()
                );
            }
        }
    }

    for ((id, outcome), (name, status, code)) in answers.iter().zip(EXPECTED) {
        assert_eq!(id, name, "answers come in the order the events went out");
        let Some(status) = status else {
            let Outcome::Error(e) = outcome else {
                panic!("{name}: expected a Lambda error, got {outcome:?}");
            };
            assert_eq!(e["errorType"], "UnsupportedEvent", "{name}: {e}");
            continue;
        };
        let Outcome::Response(answer) = outcome else {
            panic!("{name}: expected an HTTP answer, got {outcome:?}");
        };
        assert_eq!(answer["statusCode"], *status, "{name}: {answer}");
        assert_eq!(answer["isBase64Encoded"], false, "{name}: {answer}");
        let body = json(answer["body"].as_str().unwrap_or_default());
        assert_eq!(body["error"]["code"].as_str(), *code, "{name}: {body}");
        // 1.0 events are answered in 1.0's shape.
        assert_eq!(
            answer.get("multiValueHeaders").is_some(),
            name.contains("-v1-"),
            "{name}: {answer}"
        );
    }

    // The claims of a 1.0 event reach the routes; the 1.0 POST created its customer.
    let body = |name: &str| {
        let (_, outcome) = answers.iter().find(|(id, _)| id == name).unwrap();
        let Outcome::Response(answer) = outcome else {
            unreachable!()
        };
        json(answer["body"].as_str().unwrap())
    };
    assert_eq!(body("06-v1-get")["email"], "ada.admin@demo.customer-central.dev");
    assert_eq!(body("07-v1-post")["code"], "entry-v1");

    assert!(
        function.0.try_wait().unwrap().is_none(),
        "the function is still running after every event"
    );
}
