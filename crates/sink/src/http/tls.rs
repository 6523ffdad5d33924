//! Trust for HTTPS: Mozilla's roots, plus the certificates of a PEM file when one is given,
//! and telling a TLS failure apart from other transport failures.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use ureq::tls::{Certificate, PemItem, RootCerts};

/// Mozilla's roots plus every certificate in the PEM file at `path`; the error says why the
/// file is unusable. Each certificate is parsed now, so that a wrong file fails here with its
/// name rather than later as a vague handshake failure.
pub(crate) fn roots_with(path: &Path) -> Result<RootCerts, String> {
    let pem = std::fs::read(path).map_err(|e| e.to_string())?;
    let mut extra = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        // Keys and other blocks are not trust; a bundle may still carry them.
        let PemItem::Certificate(cert) = item.map_err(|e| format!("not PEM ({e})"))? else {
            continue;
        };
        let mut check = rustls::RootCertStore::empty();
        check.add(CertificateDer::from(cert.der())).map_err(|e| {
            let why = match e {
                rustls::Error::InvalidCertificate(inner) => format!("{inner:?}"),
                other => other.to_string(),
            };
            format!(
                "certificate {} in it is not a usable X.509 certificate ({why})",
                extra.len() + 1
            )
        })?;
        extra.push(cert);
    }
    if extra.is_empty() {
        return Err("it holds no PEM CERTIFICATE block".into());
    }
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()))
        .collect();
    roots.extend(extra);
    Ok(RootCerts::Specific(Arc::new(roots)))
}

/// The reason, when `e` is a TLS failure (rustls reports handshake errors wrapped in I/O).
pub(crate) fn tls_failure(e: &ureq::Error) -> Option<String> {
    match e {
        ureq::Error::Tls(reason) => Some(reason.to_string()),
        ureq::Error::Rustls(inner) => Some(inner.to_string()),
        ureq::Error::Pem(inner) => Some(inner.to_string()),
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(|inner| inner.to_string()),
        _ => None,
    }
}
