//! The webhook notifier against a local server that records what a Slack/Teams incoming webhook
//! would receive.

use std::sync::{Arc, Mutex};

use cc_adapters::webhook::WebhookNotifier;
use cc_domain::access::ports::{Notification, Notifier};

async fn server(status: u16) -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let s = s.clone();
            async move {
                s.lock().unwrap().push(body);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hook"), seen)
}

fn note() -> Notification {
    Notification {
        event: "request_created",
        request_id: "01jabc".into(),
        customer: "acme".into(),
        account_id: "012345678901".into(),
        text: "erin asks for 60 minutes".into(),
    }
}

#[tokio::test]
async fn posts_slack_compatible_json() {
    let (url, seen) = server(200).await;
    WebhookNotifier::new(url).notify(&note()).await.unwrap();
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0]["text"].as_str().unwrap().contains("erin asks for 60 minutes"));
    assert_eq!(got[0]["event"], "request_created");
    assert_eq!(got[0]["account_id"], "012345678901");
}

#[tokio::test]
async fn a_failing_webhook_is_an_error() {
    let (url, _) = server(500).await;
    assert!(WebhookNotifier::new(url).notify(&note()).await.is_err());
}
