use std::time::Duration;

use serde::{Deserialize, Serialize};

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
    #[serde(default)]
    pub parameters: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_request_detail: Option<BadRequestDetail>,
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
        write!(f, "{} ({})", self.error_code, self.error)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        } else if let Some(reason) = &self.reason {
            write!(f, ": {reason}")?;
        }
        if let Some(bad) = &self.bad_request_detail {
            for v in &bad.fields {
                write!(f, " [{}: {}]", v.field, v.description)?;
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
    UnexpectedStatus { status: u16, snippet: String },
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
}

impl Error {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api { api, .. } => Some(api),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { api, .. } => Some(api.error),
            Error::UnexpectedStatus { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn error_code(&self) -> Option<&str> {
        self.api().map(|a| a.error_code.as_str())
    }

    /// What to do about it, when Atlas's words alone do not say.
    pub fn hint(&self) -> Option<&'static str> {
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
            (Some(401), _) => Some(
                "Atlas refused the credentials: check the public/private key pair (or client id and secret), and that the key may be used from this IP address",
            ),
            (Some(403), _) => Some(
                "the key lacks a role: listing needs Project Read Only; issuing certificates and disabling customer X.509 need Project Owner",
            ),
            _ => None,
        }
    }

    /// The error and, if there is one, the hint: what the UI and the CLI show.
    pub fn explained(&self) -> String {
        match self.hint() {
            Some(h) => format!("{self} — {h}"),
            None => self.to_string(),
        }
    }

    /// An authentication or authorization failure (exit code 3 in scripts).
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth(_) | Error::Insecure { .. })
            || matches!(self.status(), Some(401 | 403))
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
        assert!(api(403, "ACCESS_FORBIDDEN").is_auth());
        assert!(!api(404, "GROUP_NOT_FOUND").is_auth());
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
