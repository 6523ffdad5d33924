//! TLS for the HTTP listener: rustls with ring (the provider the sinks and NATS already use),
//! a certificate chain and its key from PEM files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::error::ServeError;

/// Where the listener's certificate chain and key are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain, PEM, the server's own certificate first.
    pub cert: PathBuf,
    /// Its private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// The listener's TLS: built once at start, so a bad file stops the start.
#[derive(Clone)]
pub struct Tls(TlsAcceptor);

impl Tls {
    pub fn load(files: &TlsFiles) -> Result<Tls, ServeError> {
        let bad = |path: &Path, why: String| ServeError::Tls(path.to_path_buf(), why);
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
            .map_err(|e| bad(&files.cert, e.to_string()))?
            .collect::<Result<_, _>>()
            .map_err(|e| bad(&files.cert, e.to_string()))?;
        if certs.is_empty() {
            return Err(bad(&files.cert, "it holds no PEM certificate".into()));
        }
        let key =
            PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad(&files.key, e.to_string()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(&files.cert, e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| {
                bad(
                    &files.key,
                    format!("it does not go with the certificate: {e}"),
                )
            })?;
        Ok(Tls(TlsAcceptor::from(Arc::new(config))))
    }

    pub async fn accept(&self, tcp: TcpStream) -> std::io::Result<TlsStream<TcpStream>> {
        self.0.accept(tcp).await
    }
}
