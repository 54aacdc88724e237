//! Reading Atlas's answers: its error shape, JSON bodies, the raw PEM, and
//! `Retry-After`.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use serde::de::DeserializeOwned;

use crate::error::snippet;
use crate::model::IssuedPem;
use crate::{ApiError, Error};

pub(super) struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let now = jiff::Timestamp::now();
    Some(
        now.duration_until(when)
            .try_into()
            .unwrap_or(Duration::ZERO),
    )
}

pub(super) fn error_from(raw: &Raw) -> Error {
    if raw.status.is_redirection() {
        let to = raw
            .headers
            .get(header::LOCATION)
            .map(|l| {
                String::from_utf8_lossy(l.as_bytes())
                    .chars()
                    .take(200)
                    .collect()
            })
            .unwrap_or_else(|| "nowhere given".to_string());
        return Error::UnexpectedStatus {
            status: raw.status.as_u16(),
            snippet: format!(
                "redirect (to {to}) refused: atlas-x509 follows no redirects, so credentials never go to another address"
            ),
            retry_after: None,
        };
    }
    match serde_json::from_slice::<ApiError>(&raw.body) {
        Ok(api) => Error::Api {
            api: Box::new(api),
            retry_after: retry_after(&raw.headers),
        },
        Err(_) => Error::UnexpectedStatus {
            status: raw.status.as_u16(),
            snippet: snippet(&raw.body),
            retry_after: retry_after(&raw.headers),
        },
    }
}

pub(super) fn decode<T: DeserializeOwned>(raw: Raw) -> Result<T, Error> {
    if !raw.status.is_success() {
        return Err(error_from(&raw));
    }
    serde_json::from_slice(&raw.body).map_err(|e| Error::Decode {
        status: raw.status.as_u16(),
        reason: e.to_string(),
        snippet: snippet(&raw.body),
    })
}

/// Atlas sends the PEM raw even though the content type says JSON; a JSON
/// string is unwrapped in case that is ever fixed. Anything else is kept as
/// it came: it may be the only trace of an issued key.
pub(super) fn pem_from_body(body: &[u8]) -> IssuedPem {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start();
    if trimmed.starts_with('"')
        && let Ok(inner) = serde_json::from_str::<String>(trimmed)
    {
        return IssuedPem::new(inner);
    }
    IssuedPem::new(text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{self, HeaderMap, HeaderValue};
    use std::time::Duration;

    #[test]
    fn pem_body_raw_or_json_string_and_nothing_dropped() {
        let pem = "-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nKK\n-----END PRIVATE KEY-----\n";
        assert_eq!(pem_from_body(pem.as_bytes()).expose(), pem);
        let quoted = serde_json::to_string(pem).unwrap();
        assert_eq!(pem_from_body(quoted.as_bytes()).expose(), pem);
        assert_eq!(pem_from_body(b"{\"pem\":1}").expose(), "{\"pem\":1}");
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }
}
