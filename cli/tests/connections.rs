//! The local server's connections over raw TCP: an early answer leaves a kept-alive connection
//! usable, slow request heads are cut off, and the number of connections served at once is capped.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support;
use support::{start, start_configured};

/// Reads one HTTP/1.1 response (head and a `content-length` body) from `stream`.
async fn read_response(stream: &mut TcpStream) -> (u16, String, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).await.unwrap();
                assert!(n > 0, "the connection closed mid-body");
                buf.extend_from_slice(&chunk[..n]);
            }
            let status = head.split(' ').nth(1).unwrap().parse().unwrap();
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).to_string();
            return (status, head, body);
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(
            n > 0,
            "the connection closed before a response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A 401 answered before the body was looked at still reads the body, so the next request on
/// the same connection is answered (not taken for the rest of the body, nor reset).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_with_a_body_keeps_the_connection_usable() {
    let s = start().await;
    let mut stream = TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap();
    let body = format!("{{\"code\":\"acme\",\"name\":\"{}\"}}", "x".repeat(200_000));
    for _ in 0..2 {
        let req = format!(
            "POST /api/v1/customers HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(req.as_bytes()).await.unwrap();
        let (status, _, answer) = read_response(&mut stream).await;
        assert_eq!(status, 401, "{answer}");
        assert!(answer.contains("\"code\""), "the JSON error body: {answer}");
    }
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let (status, _, _) = read_response(&mut stream).await;
    assert_eq!(status, 200);
}

/// A client that sends its request head too slowly is cut off (slowloris).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_request_heads_are_cut_off() {
    let s = start().await;
    let mut stream = TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(
        cc_cli::HEADER_READ_TIMEOUT + Duration::from_secs(5),
        stream.read_to_end(&mut rest),
    )
    .await;
    assert!(read.is_ok(), "the connection is closed");
    assert!(started.elapsed() >= cc_cli::HEADER_READ_TIMEOUT - Duration::from_secs(1));
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"), "{rest:?}");
}

/// A client that declares a body and stops sending it is cut off, with a token or without one
/// (where the early 401 still reads the body): the connection is not held for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_request_bodies_are_cut_off() {
    let s = start().await;
    let token = support::token(
        &s,
        "ada.admin@demo.customer-central.dev",
        &[cc_domain::identity::Role::Admin],
    );
    for auth in [String::new(), format!("authorization: Bearer {token}\r\n")] {
        let mut stream = TcpStream::connect(s.base.trim_start_matches("http://")).await.unwrap();
        let head = format!(
            "POST /api/v1/reports HTTP/1.1\r\nhost: x\r\n{auth}content-type: application/json\r\ncontent-length: 1000\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(b"{\"customer\": \"acme-retail\",").await.unwrap();
        let started = std::time::Instant::now();
        let mut rest = Vec::new();
        let read = tokio::time::timeout(
            cc_cli::BODY_READ_TIMEOUT + Duration::from_secs(5),
            stream.read_to_end(&mut rest),
        )
        .await;
        assert!(read.is_ok(), "the connection is closed ({auth:?})");
        assert!(started.elapsed() >= cc_cli::BODY_READ_TIMEOUT - Duration::from_secs(1));
        assert!(!String::from_utf8_lossy(&rest).contains("201 Created"), "{rest:?}");
    }
}

/// With `CC_MAX_CONNECTIONS=1` a second connection waits until the first one closes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait() {
    let s = start_configured(Default::default(), |c| c.max_connections = 1).await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut first = TcpStream::connect(&addr).await.unwrap();
    first
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(read_response(&mut first).await.0, 200);
    let mut second = TcpStream::connect(&addr).await.unwrap();
    second
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(700), read_response(&mut second)).await;
    assert!(
        waited.is_err(),
        "the second connection is not served while the first is open"
    );
    drop(first);
    let (status, _, _) = tokio::time::timeout(Duration::from_secs(5), read_response(&mut second))
        .await
        .expect("served once the first closed");
    assert_eq!(status, 200);
}
