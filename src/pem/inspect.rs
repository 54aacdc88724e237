//! What an issued certificate says about itself.

use sha2::{Digest, Sha256};
use x509_parser::prelude::*;

use crate::app::CertInfo;
use crate::atlas::IssuedPem;

pub fn inspect(pem: &IssuedPem) -> Option<CertInfo> {
    let cert_pem = pem.certificate_pem()?;
    let (_, p) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).ok()?;
    let (_, cert) = X509Certificate::from_der(&p.contents).ok()?;
    let raw = cert.tbs_certificate.raw_serial();
    let raw = raw.strip_prefix(&[0][..]).unwrap_or(raw);
    if raw.len() > 8 {
        return None;
    }
    let serial = raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let ts = |t: ASN1Time| jiff::Timestamp::from_second(t.timestamp()).ok();
    let sha256 = Sha256::digest(&p.contents)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    Some(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial,
        not_before: ts(cert.validity().not_before)?,
        not_after: ts(cert.validity().not_after)?,
        sha256,
    })
}
