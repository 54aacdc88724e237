//! What an issued certificate says about itself.

use sha2::{Digest, Sha256};
use x509_parser::oid_registry::{OID_EC_P256, OID_NIST_EC_P384, OID_NIST_EC_P521};
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

use crate::IssuedPem;

/// The parsed face of an issued certificate, shown next to its PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub serial: u64,
    pub not_before: jiff::Timestamp,
    pub not_after: jiff::Timestamp,
    pub sha256: String,
    /// "RSA 4096", "EC P-256".
    pub key: String,
}

/// Is this the certificate that was asked for: a subject naming the user
/// as Atlas writes it (`CN=<username>`, or the username itself when it is
/// `CN=…`), not expired, and valid for about the months asked? A server
/// that answers for another user or with a dead certificate must not have
/// its answer filed under this user's name. The reason quotes the subject
/// (escaped by whoever prints it), never the key.
pub fn answers(
    info: &CertInfo,
    username: &str,
    months: u8,
    now: jiff::Timestamp,
) -> Result<(), String> {
    let want = if username.starts_with("CN=") {
        username.to_string()
    } else {
        format!("CN={username}")
    };
    if info.subject != want {
        return Err(format!(
            "names {:?}, not {want:?}",
            crate::sanitize::line(&info.subject, 200)
        ));
    }
    if info.not_after <= now {
        return Err(format!(
            "expired at {}",
            info.not_after.strftime(crate::time_format::ISO_UTC)
        ));
    }
    let days = (info.not_after.as_second() - now.as_second()) / 86_400;
    let m = i64::from(months);
    // Calendar months are 28 to 31 days; a day either side for clocks.
    if days < 28 * m - 1 || days > 31 * m + 1 {
        return Err(format!(
            "is valid for {days} more days, not the {months} month(s) asked"
        ));
    }
    Ok(())
}

/// `None` when the certificate part does not parse: the PEM is then shown
/// and saved exactly as Atlas sent it.
pub fn inspect(pem: &IssuedPem) -> Option<CertInfo> {
    with_certificate(pem, |p, cert| describe(&p.contents, cert))?
}

/// Is Atlas's answer a usable hand-over: a certificate that parses and the
/// private key that belongs to it? The reason, when not, never quotes the key.
pub fn verify(pem: &IssuedPem) -> Result<CertInfo, String> {
    let text = pem.expose();
    match text.matches("-----BEGIN CERTIFICATE-----").count() {
        0 => return Err("Atlas's answer holds no certificate".into()),
        1 => {}
        n => return Err(format!("Atlas's answer holds {n} certificates, not one")),
    }
    let (info, spki) = with_certificate(pem, |p, cert| {
        (
            describe(&p.contents, cert),
            cert.public_key().subject_public_key.data.to_vec(),
        )
    })
    .ok_or("the certificate in Atlas's answer does not parse")?;
    let info =
        info.ok_or("the certificate in Atlas's answer has a serial or dates out of range")?;
    let key = pem
        .private_key_pem()
        .ok_or("Atlas's answer holds no private key")?;
    let pair = rcgen::KeyPair::from_pem(key)
        .map_err(|_| "the private key in Atlas's answer does not parse".to_string())?;
    if pair.public_key_raw() != spki.as_slice() {
        return Err("the private key in Atlas's answer does not belong to its certificate".into());
    }
    Ok(info)
}

fn with_certificate<R>(
    pem: &IssuedPem,
    f: impl FnOnce(&x509_parser::pem::Pem, &X509Certificate) -> R,
) -> Option<R> {
    let cert_pem = pem.certificate_pem()?;
    let (_, p) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).ok()?;
    let (_, cert) = X509Certificate::from_der(&p.contents).ok()?;
    Some(f(&p, &cert))
}

fn describe(der: &[u8], cert: &X509Certificate) -> Option<CertInfo> {
    let raw = cert.tbs_certificate.raw_serial();
    let raw = raw.strip_prefix(&[0][..]).unwrap_or(raw);
    if raw.len() > 8 {
        return None;
    }
    let serial = raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let ts = |t: ASN1Time| jiff::Timestamp::from_second(t.timestamp()).ok();
    let sha256 = fingerprint(der);
    Some(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        serial,
        not_before: ts(cert.validity().not_before)?,
        not_after: ts(cert.validity().not_after)?,
        sha256,
        key: key_description(cert.public_key()),
    })
}

/// The SHA-256 of a DER certificate as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn key_description(spki: &SubjectPublicKeyInfo) -> String {
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            match curve {
                Some(c) if c == OID_EC_P256 => "EC P-256".into(),
                Some(c) if c == OID_NIST_EC_P384 => "EC P-384".into(),
                Some(c) if c == OID_NIST_EC_P521 => "EC P-521".into(),
                _ => "EC".into(),
            }
        }
        Ok(PublicKey::DSA(_)) => "DSA".into(),
        Ok(_) | Err(_) => "unknown key type".into(),
    }
}

/// The mongosh command line for a combined PEM, ready to paste. The
/// cluster host is not known here, hence the placeholder.
pub fn mongosh_hint(pem_path: &std::path::Path) -> String {
    format!(
        "mongosh \"mongodb+srv://<cluster>.mongodb.net/\" --tls --tlsCertificateKeyFile {} --authenticationMechanism MONGODB-X509 --authenticationDatabase '$external'",
        shell_quote(&pem_path.display().to_string())
    )
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-~+=:,@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod answer_tests {
    use super::*;

    fn info(subject: &str, days: i64) -> CertInfo {
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        CertInfo {
            subject: subject.into(),
            issuer: "CN=x".into(),
            serial: 1,
            not_before: now,
            not_after: jiff::Timestamp::from_second(now.as_second() + days * 86_400).unwrap(),
            sha256: String::new(),
            key: String::new(),
        }
    }

    #[test]
    fn an_answer_for_another_user_or_a_dead_one_is_refused() {
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        assert!(answers(&info("CN=u0", 91), "u0", 3, now).is_ok());
        assert!(answers(&info("CN=u0", 91), "CN=u0", 3, now).is_ok());
        assert!(
            answers(&info("CN=admin", 91), "u0", 3, now)
                .unwrap_err()
                .contains("CN=admin")
        );
        assert!(answers(&info("CN=u0,O=evil", 91), "u0", 3, now).is_err());
        assert!(
            answers(&info("CN=u0", -1), "u0", 3, now)
                .unwrap_err()
                .contains("expired")
        );
        assert!(answers(&info("CN=u0", 400), "u0", 3, now).is_err());
        assert!(answers(&info("CN=u0", 30), "u0", 3, now).is_err());
        assert!(answers(&info("CN=u0", 730), "u0", 24, now).is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_quotes_odd_paths() {
        let h = mongosh_hint(std::path::Path::new("./alice-1.pem"));
        assert!(h.contains(
            "--tlsCertificateKeyFile ./alice-1.pem --authenticationMechanism MONGODB-X509"
        ));
        assert!(h.ends_with("--authenticationDatabase '$external'"));
        let h = mongosh_hint(std::path::Path::new("/tmp/my key's.pem"));
        assert!(h.contains(r"'/tmp/my key'\''s.pem'"), "{h}");
    }

    fn issued(key_of_other: bool) -> IssuedPem {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["app".into()]).unwrap();
        params.serial_number = Some(rcgen::SerialNumber::from(0x1B6E_BA83_4890_4A92u64));
        let cert = params.self_signed(&key).unwrap();
        let key_pem = if key_of_other {
            rcgen::KeyPair::generate().unwrap().serialize_pem()
        } else {
            key.serialize_pem()
        };
        IssuedPem::new(format!("{}{}", cert.pem(), key_pem))
    }

    #[test]
    fn verify_wants_one_certificate_and_its_own_key() {
        assert_eq!(
            verify(&issued(false)).map(|i| i.serial),
            Ok(0x1B6E_BA83_4890_4A92)
        );
        let e = verify(&issued(true)).unwrap_err();
        assert!(e.contains("does not belong"), "{e}");
        let good = issued(false);
        let cert_only = IssuedPem::new(good.certificate_pem().unwrap().to_string());
        assert!(verify(&cert_only).unwrap_err().contains("no private key"));
        let truncated = IssuedPem::new(good.expose()[..good.expose().len() - 80].to_string());
        assert!(verify(&truncated).is_err());
        let wrapped = IssuedPem::new(serde_json::json!({"pem": good.expose()}).to_string());
        assert!(verify(&wrapped).is_err());
        assert!(verify(&IssuedPem::new(String::new())).is_err());
    }

    #[test]
    fn unparseable_pem_has_no_info() {
        assert!(
            inspect(&IssuedPem::new(
                "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".into()
            ))
            .is_none()
        );
        assert!(inspect(&IssuedPem::new("garbage".into())).is_none());
    }
}
