//! A customer CA bundle: the PEM certificates a project's customer-managed
//! X.509 trusts, read and described before it is uploaded.

use x509_parser::prelude::*;

/// The most certificates and bytes a bundle may hold: a CA bundle is a
/// handful of certificates, and this text is shown and sent whole.
pub const MAX_CAS: usize = 32;
pub const MAX_BYTES: usize = 256 * 1024;

/// One CA certificate of a bundle, as the confirmation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaInfo {
    pub subject: String,
    pub not_before: jiff::Timestamp,
    pub not_after: jiff::Timestamp,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    pub sha256: String,
}

/// The file at `path`, read to at most `MAX_BYTES` (a pipe or a device has
/// no size to check first: `--cas /dev/zero` must not fill memory).
pub fn read_capped(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut text = String::new();
    // Non-blocking open: a FIFO with no writer would otherwise hang here
    // forever; it is refused below like any file that is not regular.
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| crate::os_error::words(&e))?;
    let meta = f.metadata().map_err(|e| crate::os_error::words(&e))?;
    if !meta.is_file() {
        return Err(
            "not a regular file (a CA bundle is read from a file, not a pipe or a device)".into(),
        );
    }
    f.take(MAX_BYTES as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| crate::os_error::words(&e))?;
    if text.len() > MAX_BYTES {
        return Err(format!("over {MAX_BYTES} bytes: not a CA bundle"));
    }
    Ok(text)
}

/// Every certificate of `text`, in order; an error names what is wrong
/// (never quoting the text, which may hold a private key by mistake).
pub fn parse(text: &str) -> Result<Vec<CaInfo>, String> {
    if text.len() > MAX_BYTES {
        return Err(format!(
            "the bundle is {} bytes, over the {MAX_BYTES}-byte limit for CA certificates",
            text.len()
        ));
    }
    if text.contains("PRIVATE KEY-----") {
        return Err(
            "the file holds a private key: a CA bundle carries certificates only; nothing was sent"
                .into(),
        );
    }
    let mut out = vec![];
    for (i, pem) in Pem::iter_from_buffer(text.as_bytes()).enumerate() {
        let n = i + 1;
        let pem = pem.map_err(|_| format!("PEM block {n} is malformed"))?;
        if pem.label != "CERTIFICATE" {
            return Err(format!(
                "PEM block {n} is a {:?}, not a CERTIFICATE",
                crate::sanitize::line(&pem.label, 40)
            ));
        }
        if out.len() == MAX_CAS {
            return Err(format!("the bundle holds more than {MAX_CAS} certificates"));
        }
        let (rest, cert) = X509Certificate::from_der(&pem.contents)
            .map_err(|_| format!("certificate {n} does not parse"))?;
        if !rest.is_empty() {
            // Bytes after the certificate inside its block: perhaps a key's
            // DER. They are never sent; nor is a bundle that carries them.
            return Err(format!(
                "certificate {n}'s block carries {} bytes after the certificate (not a clean CA certificate); nothing was sent",
                rest.len()
            ));
        }
        let ts = |t: ASN1Time| jiff::Timestamp::from_second(t.timestamp()).ok();
        let (Some(not_before), Some(not_after)) = (
            ts(cert.validity().not_before),
            ts(cert.validity().not_after),
        ) else {
            return Err(format!("certificate {n} has dates out of range"));
        };
        let is_ca = cert
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|b| b.value.ca);
        out.push(CaInfo {
            subject: cert.subject().to_string(),
            not_before,
            not_after,
            is_ca,
            sha256: crate::inspect::fingerprint(&pem.contents),
        });
    }
    if out.is_empty() {
        return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) was found".into());
    }
    Ok(out)
}

/// The certificates of `text` and nothing else, re-encoded as PEM: what is
/// sent to Atlas. Text around the blocks (a key's lines outside its
/// markers, "Bag Attributes", a password) stays on this machine.
pub fn reencoded(text: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    for pem in Pem::iter_from_buffer(text.as_bytes()).flatten() {
        if pem.label != "CERTIFICATE" {
            continue;
        }
        // Exactly the DER that parsed as the certificate.
        let Ok((rest, _)) = X509Certificate::from_der(&pem.contents) else {
            continue;
        };
        let der = &pem.contents[..pem.contents.len() - rest.len()];
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(chunk));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

/// Why this bundle cannot be a project's CA now, if it cannot: an expired
/// certificate (Atlas refuses it) or one that is not a CA.
pub fn refusal(cas: &[CaInfo], now: jiff::Timestamp) -> Option<String> {
    cas.iter().enumerate().find_map(|(i, c)| {
        let subject = crate::sanitize::line(&c.subject, 120);
        if c.not_after <= now {
            Some(format!(
                "certificate {} ({subject}) expired on {}",
                i + 1,
                c.not_after.strftime(crate::time_format::HUMAN_UTC)
            ))
        } else if !c.is_ca {
            Some(format!(
                "certificate {} ({subject}) is not a CA (basicConstraints CA:TRUE is missing)",
                i + 1
            ))
        } else {
            None
        }
    })
}

/// "1 CA certificate", "2 CA certificates".
pub fn count(n: usize) -> String {
    format!("{n} CA certificate{}", if n == 1 { "" } else { "s" })
}

/// What an upload does to a project that trusts `current` CA certificates
/// now: one sentence, for the dialog and the command alike.
pub fn upload_effect(current: usize) -> String {
    if current > 0 {
        format!(
            "This replaces the {} the project trusts now; Atlas restarts every cluster in the project.",
            count(current)
        )
    } else {
        "Customer-managed X.509 turns on: Atlas restarts every cluster in the project, and Atlas-managed certificates can no longer be issued there.".to_string()
    }
}

/// A self-signed certificate for tests: `ca` sets CA:TRUE, `days` is how
/// long from now it stays valid (negative: expired).
#[cfg(any(test, feature = "test-support"))]
pub fn test_ca(name: &str, ca: bool, days: i64) -> String {
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(rcgen::DnType::CommonName, name);
    if ca {
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    let now = ::time::OffsetDateTime::now_utc();
    p.not_before = now - ::time::Duration::days(400);
    p.not_after = now + ::time::Duration::days(days);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    p.self_signed(&key).unwrap().pem()
}

#[cfg(test)]
mod tests {
    use super::test_ca as ca;
    use super::*;

    #[test]
    fn a_bundle_is_read_in_order() {
        let text = format!("{}\n{}", ca("Root A", true, 300), ca("Root B", true, 30));
        let cas = parse(&text).unwrap();
        assert_eq!(cas.len(), 2);
        assert_eq!(cas[0].subject, "CN=Root A");
        assert!(cas[0].is_ca && cas[1].not_after < cas[0].not_after);
        assert_eq!(refusal(&cas, jiff::Timestamp::now()), None);
    }

    #[test]
    fn expired_and_leaf_certificates_are_refused() {
        let now = jiff::Timestamp::now();
        let expired = parse(&ca("Old", true, -1)).unwrap();
        assert!(refusal(&expired, now).unwrap().contains("expired"));
        let leaf = parse(&ca("Leaf", false, 30)).unwrap();
        assert!(refusal(&leaf, now).unwrap().contains("not a CA"));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_and_a_big_file_read_to_the_cap_only() {
        let e = read_capped(std::path::Path::new("/dev/zero")).unwrap_err();
        assert!(e.contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'x'; MAX_BYTES * 3]).unwrap();
        let e = read_capped(&big).unwrap_err();
        assert!(e.contains("not a CA bundle"), "{e}");
    }

    #[test]
    fn bytes_after_a_certificate_inside_its_block_are_refused_and_never_sent() {
        use base64::Engine;
        let good = ca("Root", true, 30);
        let (_, block) = x509_parser::pem::parse_x509_pem(good.as_bytes()).unwrap();
        let mut der = block.contents.clone();
        der.extend_from_slice(b"\x30\x03SECRET-KEY-BYTES");
        let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
        let smuggled = format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n");
        let e = parse(&smuggled).unwrap_err();
        assert!(e.contains("bytes after the certificate"), "{e}");
        assert!(!e.contains("SECRET"));
        let sent = reencoded(&smuggled);
        let (_, back) = x509_parser::pem::parse_x509_pem(sent.as_bytes()).unwrap();
        assert_eq!(back.contents, block.contents, "only the certificate's DER");
    }

    #[test]
    fn what_is_not_a_bundle_says_why() {
        assert!(parse("hello").unwrap_err().contains("no PEM certificate"));
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let e = parse(&format!("{}{key}", ca("A", true, 9))).unwrap_err();
        assert!(e.contains("private key") && !e.contains("AAAA"));
        let e = parse("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
            .unwrap_err();
        assert!(e.contains("1"), "{e}");
        assert!(
            parse(&"x".repeat(MAX_BYTES + 1))
                .unwrap_err()
                .contains("limit")
        );
    }
}
