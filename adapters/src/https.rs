//! The AWS SDK's HTTP client in Lambda: hyper over rustls, trusting the webpki roots (Mozilla's
//! root programme, compiled in) instead of the system's certificate bundle.
//!
//! Why: the SDK's default client reads and parses the system bundle (`/etc/ssl/certs`, about 140
//! PEM certificates) when the first SDK client is validated, which `aws_config`'s default
//! credential chain does at start-up: about 19 million instructions, 30 % of a function's cold
//! start (callgrind, issue #16). The webpki roots are DER trust anchors already in the binary.
//! Every AWS endpoint chains to Amazon Trust Services' roots, which the webpki roots hold.
//! The trade-off: certificate authorities added to the operating system only (a TLS-inspecting
//! proxy's) are not trusted. Lambda's image has none; outside Lambda (`cc`, the local server
//! against AWS) the SDK's default client keeps reading the system's bundle and honours its proxy
//! settings ([`crate::wire`] chooses). The Lambda functions are built without that default client
//! (cargo feature `default-https-client`), so they do not link its HTTP/2 and second TLS set-up.
//!
//! What it keeps of the default client: the connect and read timeouts of each operation's
//! [`HttpConnectorSettings`], TCP_NODELAY, and the error kinds the SDK's retry rules read
//! (timeouts, I/O and closed connections are transient; a request the client could not send is
//! the caller's).

use std::error::Error as StdError;
use std::sync::Mutex;
use std::time::Duration;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::ErrorKind;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::rt::TokioExecutor;

type Https = hyper_rustls::HttpsConnector<TcpConnector>;
type Hyper = Client<Https, SdkBody>;

/// A client for the SDK (`aws_config::ConfigLoader::http_client`): HTTPS with the webpki roots,
/// plain HTTP for an emulator's `http://` endpoint. Cheap to create: connectors are built on the
/// first request of each connect timeout, and share their connection pool.
pub fn webpki_client() -> SharedHttpClient {
    SharedHttpClient::new(WebpkiClient::default())
}

#[derive(Debug, Default)]
struct WebpkiClient {
    /// One hyper client per connect timeout seen (in practice one: the SDK's default).
    clients: Mutex<Vec<(Option<Duration>, Hyper)>>,
}

impl WebpkiClient {
    fn client(&self, connect_timeout: Option<Duration>) -> Hyper {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = clients.iter().find(|(t, _)| *t == connect_timeout) {
            return c.clone();
        }
        let client = Client::builder(TokioExecutor::new()).build(https_connector(connect_timeout));
        clients.push((connect_timeout, client.clone()));
        client
    }
}

/// TLS 1.2/1.3 with the workspace's provider (*ring*, [`cc_tls::provider`]), the webpki roots,
/// HTTP/1.1 (what the SDK's default client speaks to the services this product calls).
fn https_connector(connect_timeout: Option<Duration>) -> Https {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    connector_trusting(roots, connect_timeout)
}

fn connector_trusting(roots: rustls::RootCertStore, connect_timeout: Option<Duration>) -> Https {
    let tls = rustls::ClientConfig::builder_with_provider(cc_tls::provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut tcp = TcpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(connect_timeout);
    hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp)
}

impl HttpClient for WebpkiClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(Connector {
            client: self.client(settings.connect_timeout()),
            read_timeout: settings.read_timeout(),
        })
    }
}

#[derive(Debug)]
struct Connector {
    client: Hyper,
    /// Until the response's head has arrived.
    read_timeout: Option<Duration>,
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let request = match request.try_into_http1x() {
            Ok(r) => r,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let sent = self.client.request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let answered = match read_timeout {
                Some(limit) => match tokio::time::timeout(limit, sent).await {
                    Ok(answered) => answered,
                    Err(elapsed) => return Err(ConnectorError::timeout(elapsed.into())),
                },
                None => sent.await,
            };
            let response = answered.map_err(|e| classify(e.into()))?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

/// The SDK's retry rules read the kind: as its own client classifies hyper's errors.
fn classify(err: BoxError) -> ConnectorError {
    if let Some(io) = find::<std::io::Error>(err.as_ref())
        && io.kind() == std::io::ErrorKind::TimedOut
    {
        return ConnectorError::timeout(err);
    }
    if let Some(h) = find::<hyper::Error>(err.as_ref()) {
        if h.is_timeout() {
            return ConnectorError::timeout(err);
        }
        if h.is_user() {
            return ConnectorError::user(err);
        }
        if h.is_closed() || h.is_canceled() || find::<std::io::Error>(h).is_some() {
            return ConnectorError::io(err);
        }
        if h.is_incomplete_message() {
            return ConnectorError::other(err, Some(ErrorKind::TransientError));
        }
        return ConnectorError::other(err, None);
    }
    if let Some(e) = find::<hyper_util::client::legacy::Error>(err.as_ref())
        && (e.is_connect() || find::<std::io::Error>(e).is_some())
    {
        return ConnectorError::io(err);
    }
    ConnectorError::other(err, None)
}

fn find<'a, E: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_refused_connection_is_a_transient_io_error_and_a_silent_server_a_timeout() {
        // A port nothing listens on: refused at once.
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = free.local_addr().unwrap();
        drop(free);
        let client = WebpkiClient::default();
        let connector = Connector {
            client: client.client(Some(Duration::from_secs(2))),
            read_timeout: Some(Duration::from_millis(300)),
        };
        let request = |addr: std::net::SocketAddr| get(&format!("http://{addr}/"));
        let err = connector.call(request(addr)).await.unwrap_err();
        assert!(err.is_io(), "{err:?}");
        // A server that accepts and never answers: the read timeout.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let (socket, _) = silent.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(socket);
        });
        let err = connector.call(request(addr)).await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        held.abort();
    }

    /// A TLS server on loopback with a certificate for `localhost` that no public root signed;
    /// answers each request 200. Returns its port and the certificate (DER).
    async fn tls_server() -> (u16, rustls::pki_types::CertificateDer<'static>) {
        let key = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        let cert = key.cert.der().clone();
        let private = rustls::pki_types::PrivateKeyDer::try_from(key.signing_key.serialize_der()).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(cc_tls::provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], private)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let mut buf = [0u8; 4096];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        (port, cert)
    }

    fn get(url: &str) -> HttpRequest {
        HttpRequest::try_from(http::Request::builder().uri(url).body(SdkBody::empty()).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn https_trusts_the_webpki_roots_only() {
        let (port, cert) = tls_server().await;
        let url = format!("https://localhost:{port}/");
        // A certificate no webpki root signed is refused (as an error, not a hang or a panic)...
        let webpki = WebpkiClient::default();
        let refused = Connector {
            client: webpki.client(Some(Duration::from_secs(2))),
            read_timeout: Some(Duration::from_secs(5)),
        }
        .call(get(&url))
        .await
        .unwrap_err();
        let chain = format!("{:?}", refused);
        assert!(
            chain.contains("UnknownIssuer") || chain.contains("certificate"),
            "{chain}"
        );
        // ...by the trust anchors alone: the same connector trusting that certificate gets through.
        let mut roots = rustls::RootCertStore::empty();
        roots.add(cert).unwrap();
        let trusting = Connector {
            client: Client::builder(TokioExecutor::new()).build(connector_trusting(roots, None)),
            read_timeout: Some(Duration::from_secs(5)),
        };
        let answer = trusting.call(get(&url)).await.unwrap();
        assert_eq!(answer.status().as_u16(), 200);
    }

    #[test]
    fn the_trust_anchors_are_the_webpki_roots_with_amazons() {
        // Amazon Root CA 1, which every AWS endpoint's chain ends in.
        let amazon = webpki_roots::TLS_SERVER_ROOTS.iter().any(|a| {
            let subject: &[u8] = a.subject.as_ref();
            subject
                .windows(b"Amazon Root CA 1".len())
                .any(|w| w == b"Amazon Root CA 1")
        });
        assert!(amazon);
    }
}
