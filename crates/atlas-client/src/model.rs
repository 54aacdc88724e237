use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// Decoders for numbers and dates a server may send out of range: they
/// saturate or become "unknown" instead of failing a whole page (or
/// overflowing later).
pub(crate) mod lenient {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer};

    /// Counts: a whole number ≥ 0, else unknown.
    pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        Ok(match Option::<serde_json::Value>::deserialize(d)? {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            _ => None,
        })
    }

    /// Seconds: negative is 0, beyond u64 or fractional saturates.
    pub fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        Ok(n.as_u64().unwrap_or_else(|| match n.as_f64() {
            Some(f) if f > 0.0 => f.min(u64::MAX as f64) as u64,
            _ => 0,
        }))
    }

    /// RFC 3339; dates past what jiff holds (X.509's "no expiry",
    /// 9999-12-31T23:59:59Z) become the latest instant it holds.
    pub fn parse(s: &str) -> Result<Timestamp, String> {
        match s.parse::<Timestamp>() {
            Ok(t) => Ok(t),
            Err(_) if s.trim_start_matches('+').starts_with("9999-") => Ok(Timestamp::MAX),
            Err(e) => Err(format!(
                "{:?} is not a date: {e}",
                crate::sanitize::line(s, 40)
            )),
        }
    }

    pub fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }

    pub fn optional_timestamp<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Link {
    pub href: String,
    pub rel: String,
}

/// One page of a list, as Atlas pages them.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    /// Atlas answers `0` when asked not to count (`includeCount=false`), so a
    /// zero next to a non-empty page means "unknown", not "empty". A count
    /// that is not a whole number ≥ 0 is unknown too.
    #[serde(default, deserialize_with = "lenient::count")]
    pub total_count: Option<u64>,
    #[serde(default)]
    pub links: Vec<Link>,
}

impl<T> Page<T> {
    /// The total if Atlas really counted; `None` when it did not.
    pub fn known_total(&self) -> Option<u64> {
        match self.total_count {
            Some(0) if !self.results.is_empty() => None,
            other => other,
        }
    }

    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.rel == rel)
            .map(|l| l.href.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// From 1.
    pub page_num: u32,
    /// 1..=500.
    pub items_per_page: u32,
    pub include_count: bool,
}

impl PageRequest {
    pub const MAX_ITEMS_PER_PAGE: u32 = 500;
    pub const DEFAULT_ITEMS_PER_PAGE: u32 = 100;

    pub fn new(page_num: u32, items_per_page: u32) -> Self {
        Self {
            page_num,
            items_per_page,
            include_count: true,
        }
    }

    pub fn first(items_per_page: u32) -> Self {
        Self::new(1, items_per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::first(Self::DEFAULT_ITEMS_PER_PAGE)
    }
}

/// An Atlas project (a "group" in the API).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::count")]
    pub cluster_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient::optional_timestamp")]
    pub created: Option<Timestamp>,
}

impl Project {
    /// Whether `want` names this project: its id, or its name as Atlas
    /// spells it.
    pub fn answers_to(&self, want: &str) -> bool {
        self.id == want || self.name == want
    }
}

/// Whether `s` is shaped like a project id (24 lowercase hexadecimal
/// characters) rather than a name.
pub fn looks_like_project_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The one project `want` names among `all`: by id or exact name, else by
/// name ignoring case. None or several: said, with what there is.
pub fn project_named<'a>(all: &'a [Project], want: &str) -> Result<&'a Project, String> {
    let exact: Vec<&Project> = all.iter().filter(|p| p.answers_to(want)).collect();
    let found = if exact.is_empty() {
        all.iter()
            .filter(|p| p.name.eq_ignore_ascii_case(want))
            .collect()
    } else {
        exact
    };
    let shown = |p: &Project| {
        format!(
            "{} ({})",
            crate::sanitize::line(&p.name, 60),
            crate::sanitize::line(&p.id, 30)
        )
    };
    match found.as_slice() {
        [one] => Ok(one),
        [] => {
            let lower = want.to_lowercase();
            let mut like: Vec<&Project> = all
                .iter()
                .filter(|p| p.name.to_lowercase().contains(&lower))
                .collect();
            if like.is_empty() {
                like = all.iter().collect();
            }
            let more = like.len().saturating_sub(8);
            Err(format!(
                "no project named {:?} among the {} these credentials see; {}: {}{}",
                crate::sanitize::line(want, 80),
                all.len(),
                if like.len() < all.len() {
                    "did you mean"
                } else {
                    "they are"
                },
                like.iter()
                    .take(8)
                    .map(|p| shown(p))
                    .collect::<Vec<_>>()
                    .join(", "),
                if more > 0 {
                    format!(" …and {more} more")
                } else {
                    String::new()
                }
            ))
        }
        many => Err(format!(
            "{} projects are named {:?}: {}; pass the id",
            many.len(),
            crate::sanitize::line(want, 80),
            many.iter()
                .take(5)
                .map(|p| shown(p))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum X509Type {
    None,
    Managed,
    Customer,
    /// A value this build does not know; shown, never acted on.
    #[serde(other)]
    Unknown,
}

impl X509Type {
    pub fn as_str(self) -> &'static str {
        match self {
            X509Type::None => "NONE",
            X509Type::Managed => "MANAGED",
            X509Type::Customer => "CUSTOMER",
            X509Type::Unknown => "UNKNOWN",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub role_name: String,
    pub database_name: String,
    #[serde(default)]
    pub collection_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Scope {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseUser {
    pub username: String,
    pub database_name: String,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default = "default_x509", rename = "x509Type")]
    pub x509_type: X509Type,
    #[serde(default, rename = "awsIAMType")]
    pub aws_iam_type: Option<String>,
    #[serde(default)]
    pub ldap_auth_type: Option<String>,
    #[serde(default)]
    pub oidc_auth_type: Option<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default)]
    pub scopes: Vec<Scope>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::optional_timestamp")]
    pub delete_after_date: Option<Timestamp>,
}

/// An X.509 database user to create: always on `$external`, as Atlas
/// requires of externally authenticated users.
#[derive(Debug, Clone, PartialEq)]
pub struct NewX509User {
    pub username: String,
    /// MANAGED or CUSTOMER.
    pub x509_type: X509Type,
    pub roles: Vec<Role>,
}

impl NewX509User {
    pub fn body(&self, group_id: &str) -> serde_json::Value {
        serde_json::json!({
            "databaseName": "$external",
            "groupId": group_id,
            "roles": self.roles,
            "username": self.username,
            "x509Type": self.x509_type,
        })
    }
}

fn default_x509() -> X509Type {
    X509Type::None
}

/// An Atlas-managed certificate as the list returns it. `_id` is the
/// certificate's serial and exceeds 2^53: it is never routed through f64.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserCert {
    #[serde(rename = "_id")]
    pub id: u64,
    #[serde(deserialize_with = "lenient::timestamp")]
    pub created_at: Timestamp,
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(deserialize_with = "lenient::timestamp")]
    pub not_after: Timestamp,
    #[serde(default)]
    pub subject: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserSecurity {
    #[serde(default, rename = "customerX509")]
    pub customer_x509: CustomerX509,
    /// Passed through untouched: this tool only reads it.
    #[serde(default)]
    pub ldap: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct CustomerX509 {
    /// Concatenated PEM CA certificates; absent when no customer CA is set.
    #[serde(default)]
    pub cas: Option<String>,
}

impl CustomerX509 {
    pub fn is_configured(&self) -> bool {
        self.cas.as_deref().is_some_and(|c| !c.trim().is_empty())
    }

    /// How many CA certificates the PEM bundle holds.
    pub fn ca_count(&self) -> usize {
        self.cas
            .as_deref()
            .map(|c| c.matches("-----BEGIN CERTIFICATE-----").count())
            .unwrap_or(0)
    }
}

/// The PEM Atlas returns when issuing: certificate then private key. It is
/// the only copy of the key anywhere, so it is kept as a secret (zeroed on
/// drop, redacted from Debug).
pub struct IssuedPem(SecretString);

impl IssuedPem {
    pub fn new(text: String) -> Self {
        Self(SecretString::from(text))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The certificate part alone (no key), for display and parsing.
    pub fn certificate_pem(&self) -> Option<&str> {
        let text = self.expose();
        let start = text.find("-----BEGIN CERTIFICATE-----")?;
        let end_marker = "-----END CERTIFICATE-----";
        let end = text[start..].find(end_marker)? + start + end_marker.len();
        Some(&text[start..end])
    }

    /// The private key part alone, markers included.
    pub fn private_key_pem(&self) -> Option<&str> {
        let text = self.expose();
        let begin = text
            .match_indices("-----BEGIN ")
            .map(|(i, _)| i)
            .find(|&i| {
                text[i..]
                    .lines()
                    .next()
                    .is_some_and(|l| l.trim_end().ends_with("PRIVATE KEY-----"))
            })?;
        let end_at = begin + text[begin..].find("-----END ")?;
        let line_end = text[end_at..].find('\n').map_or(text.len(), |n| end_at + n);
        Some(text[begin..line_end].trim_end())
    }

    pub fn has_private_key(&self) -> bool {
        self.expose().contains("PRIVATE KEY-----")
    }
}

impl std::fmt::Debug for IssuedPem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedPem([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_above_2_pow_53_survives() {
        let json = r#"{"_id":9096781148244857296,"createdAt":"2025-06-30T04:09:32Z","groupId":"b0123456789abcdef012345b","notAfter":"2025-09-30T05:09:32Z","subject":"CN=user631"}"#;
        let c: UserCert = serde_json::from_str(json).unwrap();
        assert_eq!(c.id, 9_096_781_148_244_857_296);
        assert_eq!(
            serde_json::to_value(&c).unwrap()["_id"].as_u64(),
            Some(9_096_781_148_244_857_296)
        );
    }

    #[test]
    fn out_of_range_values_decode() {
        let c: UserCert = serde_json::from_str(
            r#"{"_id":18446744073709551615,"createdAt":"2025-06-30T04:09:32Z","notAfter":"9999-12-31T23:59:59Z"}"#,
        )
        .unwrap();
        assert_eq!(c.not_after, Timestamp::MAX);
        let p: Page<u32> = serde_json::from_str(r#"{"results":[1],"totalCount":-5}"#).unwrap();
        assert_eq!(p.known_total(), None);
        let p: Page<u32> = serde_json::from_str(r#"{"results":[1],"totalCount":1e300}"#).unwrap();
        assert_eq!(p.known_total(), None);
        let pr: Project = serde_json::from_str(
            r#"{"id":"a","name":"n","clusterCount":-1,"created":"9999-12-31T23:59:59Z"}"#,
        )
        .unwrap();
        assert_eq!(pr.cluster_count, None);
        assert!(
            serde_json::from_str::<UserCert>(r#"{"_id":-1,"createdAt":"x","notAfter":"y"}"#)
                .is_err()
        );
    }

    #[test]
    fn total_zero_with_results_is_unknown() {
        let p: Page<u32> = serde_json::from_str(r#"{"results":[1,2],"totalCount":0}"#).unwrap();
        assert_eq!(p.known_total(), None);
        let p: Page<u32> = serde_json::from_str(r#"{"results":[],"totalCount":0}"#).unwrap();
        assert_eq!(p.known_total(), Some(0));
    }

    #[test]
    fn unknown_x509_type_is_kept_apart() {
        let u: DatabaseUser = serde_json::from_str(
            r#"{"username":"a","databaseName":"$external","x509Type":"SOMETHING_NEW"}"#,
        )
        .unwrap();
        assert_eq!(u.x509_type, X509Type::Unknown);
    }

    #[test]
    fn issued_pem_debug_is_redacted() {
        let p = IssuedPem::new("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n".into());
        assert_eq!(format!("{p:?}"), "IssuedPem([REDACTED])");
        assert!(p.has_private_key());
        assert!(!p.certificate_pem().unwrap().contains("PRIVATE"));
        assert_eq!(
            p.private_key_pem().unwrap(),
            "-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----"
        );
        let no_key =
            IssuedPem::new("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n".into());
        assert!(no_key.private_key_pem().is_none());
    }

    #[test]
    fn customer_ca_count() {
        let c = CustomerX509 {
            cas: Some("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n".into()),
        };
        assert!(c.is_configured());
        assert_eq!(c.ca_count(), 2);
        assert!(!CustomerX509::default().is_configured());
    }
}
