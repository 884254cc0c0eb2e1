//! The one place that chooses the cryptography of TLS: rustls over *ring*, and every `reqwest`
//! client built on it.
//!
//! Why: rustls's and reqwest's default provider is aws-lc-rs, whose C library (code plus
//! precomputed tables) was about 1 MB of every Lambda binary, and the zipped packages have a
//! 4 MB budget (issue #16). *ring* does the same TLS 1.2/1.3 suites in a fraction of that.
//! reqwest is therefore built with its `rustls-no-provider` feature, and a client built without a
//! provider panics on `build()` (reqwest falls back to a process-wide default nobody installs).
//! Rather than a global install that a binary or a test could forget, every client is built here
//! with its TLS configuration already made ([`reqwest_builder`], [`reqwest_client`]); clippy's
//! `disallowed-methods` (clippy.toml) refuses `reqwest::Client::new`, `Client::builder` and
//! `reqwest::get` elsewhere, so a client that would panic cannot be written by mistake.
//!
//! What it keeps of reqwest's own set-up: the platform verifier (rustls-platform-verifier: the
//! system's certificate bundle, as reqwest's `rustls` feature trusts), TLS 1.2 and 1.3, SNI,
//! ALPN `http/1.1` (the workspace builds reqwest without HTTP/2). Settings reqwest applies to
//! the TLS configuration it makes itself (`tls_version_min`, `tls_certs_only`, extra roots) do
//! not apply to these clients: nothing here uses them.

use std::sync::Arc;

use reqwest::{Client, ClientBuilder};
use rustls::crypto::CryptoProvider;
use rustls_platform_verifier::BuilderVerifierExt;

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The TLS set-up: no certificate authority could be loaded from the system
    /// (rustls-platform-verifier reads the bundle rustls-native-certs finds: `SSL_CERT_FILE`,
    /// `/etc/ssl/certs`, ...).
    #[error("TLS set-up: {0}")]
    Tls(#[from] rustls::Error),
    /// reqwest's own set-up (its resolver, a setting it refuses).
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// The crypto provider of every rustls configuration in the workspace (*ring*'s defaults: its
/// cipher suites, key exchange groups and signature verification algorithms).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The TLS client configuration of [`reqwest_builder`]: [`provider`], TLS 1.2 and 1.3, the
/// platform's roots, no client certificate, ALPN `http/1.1`.
///
/// Errors: [`Error::Tls`] when the system has no usable certificate authority.
pub fn platform_config() -> Result<rustls::ClientConfig, Error> {
    let mut config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// `reqwest::Client::builder()` with [`platform_config`] set: add timeouts, pool settings and
/// the like, then `build()` (which no longer fails for want of a crypto provider).
///
/// Errors: [`Error::Tls`], as [`platform_config`].
#[allow(clippy::disallowed_methods)] // the one place a reqwest builder is made
pub fn reqwest_builder() -> Result<ClientBuilder, Error> {
    Ok(Client::builder().tls_backend_preconfigured(platform_config()?))
}

/// A client with reqwest's defaults and [`platform_config`]: what `reqwest::Client::new()` was.
///
/// Errors: [`Error::Tls`] as [`platform_config`]; [`Error::Http`] when reqwest cannot set up.
pub fn reqwest_client() -> Result<Client, Error> {
    Ok(reqwest_builder()?.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_is_ring() {
        // A provider's key exchange groups name their implementation's types: ring's live in
        // rustls::crypto::ring.
        let p = provider();
        assert!(!p.cipher_suites.is_empty());
        assert!(format!("{:?}", p.kx_groups).contains("X25519"));
        assert_eq!(
            format!("{:?}", rustls::crypto::ring::default_provider().cipher_suites),
            format!("{:?}", p.cipher_suites)
        );
    }

    #[test]
    fn a_client_builds_without_a_process_default_provider() {
        // reqwest (rustls-no-provider) would panic here if it made its own TLS configuration.
        assert!(CryptoProvider::get_default().is_none());
        let config = platform_config().unwrap();
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        reqwest_client().unwrap();
        reqwest_builder()
            .unwrap()
            .timeout(std::time::Duration::from_secs(1))
            .build()
            .unwrap();
        assert!(
            CryptoProvider::get_default().is_none(),
            "nothing installed a global provider"
        );
    }

    #[tokio::test]
    async fn plain_http_and_a_refused_https_request_do_not_panic() {
        let client = reqwest_client().unwrap();
        // Nothing listens on port 1: a connection error, not a panic.
        assert!(client.get("http://127.0.0.1:1/").send().await.is_err());
        assert!(client.get("https://127.0.0.1:1/").send().await.is_err());
    }
}
