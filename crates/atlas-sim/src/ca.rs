//! Real certificates shaped like Atlas's: a per-project CA
//! (`CN=<24 hex>, OU=Atlas, O=MongoDB Inc`) signs a leaf with subject
//! `CN=<username>`, KU digitalSignature and EKU clientAuth, both critical.

use jiff::Timestamp;
use rcgen::{
    CertificateParams, CustomExtension, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyType {
    /// RSA 4096, as Atlas issues.
    Rsa,
    /// ECDSA P-256: the same shape, generated in microseconds, for tests.
    Ec,
}

/// A broken Atlas, for the tests and for trying the client's checks: the
/// certificate it issues is not the one asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IssueFault {
    /// Issued for `CN=admin`, whoever asked.
    OtherSubject,
    /// Expired yesterday.
    Expired,
    /// The private key of another certificate.
    ForeignKey,
}

pub struct ProjectCa {
    pub common_name: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for ProjectCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectCa")
            .field("common_name", &self.common_name)
            .finish()
    }
}

fn new_key(kind: KeyType) -> Result<KeyPair, rcgen::Error> {
    match kind {
        KeyType::Rsa => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_4096)
        }
        KeyType::Ec => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
    }
}

fn to_time(t: Timestamp) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(t.as_second()).expect("timestamp in range")
}

impl ProjectCa {
    /// Slow for RSA (a 4096-bit key): call off the async threads.
    pub fn generate(kind: KeyType, now: Timestamp) -> Result<Self, rcgen::Error> {
        let mut id = [0u8; 12];
        getrandom::fill(&mut id).expect("OS randomness");
        let common_name: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name.as_str());
        dn.push(DnType::OrganizationalUnitName, "Atlas");
        dn.push(DnType::OrganizationName, "MongoDB Inc");
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = to_time(now - jiff::Span::new().hours(24));
        params.not_after = to_time(now + jiff::Span::new().hours(24 * 365 * 10));
        let key = new_key(kind)?;
        Ok(Self {
            common_name,
            issuer: Issuer::new(params, key),
        })
    }

    /// Issues a leaf and returns the PEM Atlas returns: certificate, then the
    /// PKCS#8 private key. The key is not kept anywhere.
    pub fn issue(
        &self,
        kind: KeyType,
        username: &str,
        serial: u64,
        not_before: Timestamp,
        not_after: Timestamp,
    ) -> Result<String, rcgen::Error> {
        let key = new_key(kind)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, username);
        params.distinguished_name = dn;
        params.serial_number = Some(SerialNumber::from(serial));
        params.not_before = to_time(not_before);
        params.not_after = to_time(not_after);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        // rcgen marks EKU non-critical; Atlas marks it critical, so write it ourselves:
        // SEQUENCE { OID 1.3.6.1.5.5.7.3.2 (clientAuth) }.
        let mut eku = CustomExtension::from_oid_content(
            &[2, 5, 29, 37],
            vec![
                0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02,
            ],
        );
        eku.set_criticality(true);
        params.custom_extensions = vec![eku];
        let cert = params.signed_by(&key, &self.issuer)?;
        let mut pem = cert.pem();
        if !pem.ends_with('\n') {
            pem.push('\n');
        }
        pem.push_str(&key.serialize_pem());
        Ok(pem)
    }

    /// `issue`, broken as `fault` says.
    pub fn issue_faulty(
        &self,
        fault: IssueFault,
        kind: KeyType,
        username: &str,
        serial: u64,
        not_before: Timestamp,
        not_after: Timestamp,
    ) -> Result<String, rcgen::Error> {
        const DAY: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);
        match fault {
            IssueFault::OtherSubject => self.issue(kind, "admin", serial, not_before, not_after),
            IssueFault::Expired => {
                let end = Timestamp::now() - DAY;
                self.issue(kind, username, serial, end - DAY * 90, end)
            }
            IssueFault::ForeignKey => {
                let pem = self.issue(kind, username, serial, not_before, not_after)?;
                let cut = pem.find("-----BEGIN PRIVATE KEY-----").unwrap_or(pem.len());
                Ok(format!("{}{}", &pem[..cut], new_key(kind)?.serialize_pem()))
            }
        }
    }
}
