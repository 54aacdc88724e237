use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::sanitize;

/// An error body exactly as Atlas sends it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    pub error: u16,
    pub error_code: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    /// Real Atlas sometimes sends `null` here.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub parameters: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_request_detail: Option<BadRequestDetail>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<serde_json::Value>, D::Error> {
    Ok(Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct BadRequestDetail {
    #[serde(default)]
    pub fields: Vec<FieldViolation>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Every field is the server's words: escaped, redacted and capped.
        let max = sanitize::DETAIL_MAX;
        write!(
            f,
            "{} ({})",
            sanitize::line(&self.error_code, 100),
            self.error
        )?;
        if let Some(detail) = &self.detail {
            write!(f, ": {}", sanitize::line(detail, max))?;
        } else if let Some(reason) = &self.reason {
            write!(f, ": {}", sanitize::line(reason, max))?;
        }
        if let Some(bad) = &self.bad_request_detail {
            for v in bad.fields.iter().take(10) {
                write!(
                    f,
                    " [{}: {}]",
                    sanitize::line(&v.field, 100),
                    sanitize::line(&v.description, 200)
                )?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Timeout,
    Connect,
    Tls,
    Other,
}

/// Everything a call can fail with. No variant ever carries a credential or
/// a private key: bodies are cut and scrubbed before they are kept.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Rejected before anything was sent.
    #[error("{0}")]
    Invalid(String),
    /// Atlas answered with its error shape.
    #[error("{api}")]
    Api {
        api: Box<ApiError>,
        retry_after: Option<Duration>,
    },
    /// A non-2xx answer whose body is not an Atlas error.
    #[error("HTTP {status} from Atlas: {snippet}")]
    UnexpectedStatus {
        status: u16,
        snippet: String,
        retry_after: Option<Duration>,
    },
    /// A 2xx answer we could not decode.
    #[error("could not decode Atlas's answer (HTTP {status}): {reason}; body starts: {snippet}")]
    Decode {
        status: u16,
        reason: String,
        snippet: String,
    },
    #[error("{message}")]
    Transport {
        kind: TransportKind,
        message: String,
    },
    /// Authentication could not be carried out (bad challenge, token endpoint refused).
    #[error("authentication failed: {0}")]
    Auth(String),
    #[error(
        "refusing to send credentials over plain http to {host}: use https, or a loopback address for a local simulator"
    )]
    Insecure { host: String },
    /// A user-account access token that expired (by its `exp`) or that Atlas
    /// refused although it had not; nothing was sent with it when expired.
    #[error("{}", token_message(*expired_at, profile.as_deref()))]
    Token {
        expired_at: Option<i64>,
        profile: Option<String>,
    },
    /// A bound on what a server can make us do (pages, items, bytes, time).
    #[error("{0}")]
    Bound(String),
    /// A request that changes something reached Atlas, but its answer was
    /// lost: whether it took effect is unknown.
    #[error(
        "the answer was lost after the request reached Atlas, so a certificate may have been issued ({0}); check the user's certificate list before issuing again"
    )]
    MaybeIssued(Box<Error>),
}

fn token_message(expired_at: Option<i64>, profile: Option<&str>) -> String {
    let whose = match profile {
        Some(p) => format!("the access token of Atlas CLI profile [{p}]"),
        None => "the access token from the environment".to_string(),
    };
    let what = match expired_at {
        Some(t) => format!("{whose} expired at {}", crate::time_format::utc_seconds(t)),
        None => format!("Atlas refused {whose} (revoked, or its session ended)"),
    };
    format!("{what}; {}", super::auth::renew_advice(profile))
}

/// "45 s", "55 min", "2 h 5 min".
pub fn human_wait(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{} s", s.max(1)),
        60..3600 => format!("{} min", s.div_ceil(60)),
        _ => match (s / 3600, (s % 3600) / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
    }
}

impl Error {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api { api, .. } => Some(api),
            Error::MaybeIssued(inner) => inner.api(),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { api, .. } => Some(api.error),
            Error::UnexpectedStatus { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::MaybeIssued(inner) => inner.status(),
            _ => None,
        }
    }

    /// How long Atlas asked us to wait, when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } | Error::UnexpectedStatus { retry_after, .. } => {
                *retry_after
            }
            Error::MaybeIssued(inner) => inner.retry_after(),
            _ => None,
        }
    }

    pub fn error_code(&self) -> Option<&str> {
        self.api().map(|a| a.error_code.as_str())
    }

    /// What to do about it, when Atlas's words alone do not say.
    pub fn hint(&self) -> Option<std::borrow::Cow<'static, str>> {
        if self.status() == Some(429) {
            return Some(match self.retry_after() {
                Some(d) => format!("rate limited: Atlas asks to wait {}", human_wait(d)).into(),
                None => "rate limited by Atlas: wait a minute and try again".into(),
            });
        }
        self.static_hint().map(Into::into)
    }

    fn static_hint(&self) -> Option<&'static str> {
        match (self.status(), self.error_code()) {
            (_, Some("CANNOT_GENERATE_CERT_IF_ADVANCED_X509")) => Some(
                "the project uses a customer CA (self-managed X.509): sign with that CA, or disable customer X.509 first",
            ),
            (_, Some("USER_NOT_MANAGED_X509")) => {
                Some("only users with x509Type MANAGED get certificates from Atlas")
            }
            (_, Some("IP_ADDRESS_NOT_ON_WHITELIST" | "ORG_REQUIRES_WHITELIST")) => {
                Some("add this machine's IP address to the API key's access list")
            }
            // A 401 that is about the project, not the key pair.
            (_, Some("USER_CANNOT_ACCESS_GROUP" | "NOT_IN_GROUP")) => Some(
                "the credentials are valid but have no access to this project: check the project id, or grant the key or service account a role in the project",
            ),
            (Some(401), _) => Some(
                "Atlas refused the credentials: check the public/private key pair (or client id and secret), and that the key may be used from this IP address",
            ),
            (Some(403), _) => Some(
                "the key lacks a role: listing needs Project Read Only; issuing certificates, reading user security (customer X.509) and disabling customer X.509 need Project Owner",
            ),
            _ => None,
        }
    }

    /// The error and, if there is one, the hint: what the UI and the CLI
    /// show. Escaped and capped, since parts of it may be a server's words.
    pub fn explained(&self) -> String {
        let text = match self.hint() {
            Some(h) => format!("{self} — {h}"),
            None => self.to_string(),
        };
        sanitize::line(&text, 2 * sanitize::DETAIL_MAX)
    }

    /// After a request that changes something was sent, did its outcome get
    /// lost (so it may have taken effect)? A refused connection sent nothing;
    /// an answer Atlas wrote in its own error shape is a clear "no".
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => *kind != TransportKind::Connect,
            Error::Decode { .. } | Error::Bound(_) => true,
            Error::UnexpectedStatus { status, .. } => *status >= 500,
            Error::Api { api, .. } => api.error >= 500,
            _ => false,
        }
    }

    /// An authentication or authorization failure (exit code 3 in scripts).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::Auth(_) | Error::Insecure { .. } | Error::Token { .. }
        ) || matches!(self.status(), Some(401 | 403))
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        let mut chain = String::new();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        message.push_str(&chain);
        let lower = chain.to_ascii_lowercase();
        let kind = if e.is_timeout() {
            TransportKind::Timeout
        } else if lower.contains("certificate") || lower.contains("tls") {
            TransportKind::Tls
        } else if e.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
        Error::Transport { kind, message }
    }
}

/// The first bytes of a body, safe to show: never more than `MAX` bytes and
/// never a PEM private key, even if a server echoes one back.
pub(crate) fn snippet(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let text = match text.find("-----BEGIN") {
        Some(i) if text.contains("PRIVATE KEY") => format!("{}[PEM redacted]", &text[..i]),
        _ => text.into_owned(),
    };
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX)
        .collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    if out.trim().is_empty() {
        "(empty)".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_never_keeps_a_private_key() {
        let body = b"oops -----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----";
        let s = snippet(body);
        assert!(!s.contains("SECRET"), "{s}");
        assert!(s.starts_with("oops"));
    }

    #[test]
    fn snippet_is_bounded() {
        let s = snippet(&[b'a'; 1000]);
        assert_eq!(s.chars().count(), 201);
        assert_eq!(snippet(b""), "(empty)");
    }

    #[test]
    fn hints_say_what_to_do() {
        let api = |status: u16, code: &str| Error::Api {
            api: Box::new(ApiError {
                error: status,
                error_code: code.into(),
                reason: None,
                detail: Some("d".into()),
                parameters: vec![],
                bad_request_detail: None,
            }),
            retry_after: None,
        };
        assert!(
            api(401, "UNEXPECTED_ERROR")
                .explained()
                .contains("refused the credentials")
        );
        assert!(
            api(403, "ACCESS_FORBIDDEN")
                .explained()
                .contains("Project Owner")
        );
        assert!(
            api(400, "CANNOT_GENERATE_CERT_IF_ADVANCED_X509")
                .explained()
                .contains("customer CA")
        );
        assert!(api(404, "GROUP_NOT_FOUND").hint().is_none());
        for code in ["USER_CANNOT_ACCESS_GROUP", "NOT_IN_GROUP"] {
            let text = api(401, code).explained();
            assert!(text.contains("no access to this project"), "{text}");
            assert!(
                !text.contains("key pair"),
                "not blamed on the key pair: {text}"
            );
        }
        assert!(api(403, "X").explained().contains("reading user security"));
        let limited = Error::UnexpectedStatus {
            status: 429,
            snippet: "slow down".into(),
            retry_after: Some(Duration::from_secs(55 * 60)),
        };
        assert!(
            limited
                .explained()
                .contains("rate limited: Atlas asks to wait 55 min"),
            "{}",
            limited.explained()
        );
        assert!(api(403, "ACCESS_FORBIDDEN").is_auth());
        assert!(!api(404, "GROUP_NOT_FOUND").is_auth());
    }

    #[test]
    fn null_parameters_decode() {
        let e: ApiError = serde_json::from_str(
            r#"{"detail":"d","error":401,"errorCode":"NOT_IN_GROUP","parameters":null,"reason":"Unauthorized"}"#,
        )
        .unwrap();
        assert!(e.parameters.is_empty());
    }

    #[test]
    fn hostile_detail_is_escaped_and_capped() {
        let e = ApiError {
            error: 400,
            error_code: "X\u{1b}]0;t\u{7}".into(),
            reason: None,
            detail: Some(format!("\u{1b}[2J{}", "d".repeat(5000))),
            parameters: vec![],
            bad_request_detail: None,
        };
        let s = e.to_string();
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s}");
        assert!(s.chars().count() < 1_200, "{}", s.len());
        assert_eq!(human_wait(Duration::from_secs(30)), "30 s");
        assert_eq!(human_wait(Duration::from_secs(7500)), "2 h 5 min");
    }

    #[test]
    fn api_error_displays_code_and_detail() {
        let e: ApiError = serde_json::from_str(r#"{"detail":"No group with ID 111111111111111111111111 exists.","error":404,"errorCode":"GROUP_NOT_FOUND","parameters":["111111111111111111111111"],"reason":"Not Found"}"#).unwrap();
        assert_eq!(
            e.to_string(),
            "GROUP_NOT_FOUND (404): No group with ID 111111111111111111111111 exists."
        );
    }
}
