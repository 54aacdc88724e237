//! The claims of an Atlas user-account access token (a JWT), read without
//! verifying the signature: Atlas verifies it; we only need to know when it
//! stops working and whose it is, as the Atlas CLI does.

use base64::Engine;

/// The Atlas CLI treats a token as expired this long before its `exp`
/// (go.mongodb.org/atlas/auth's `expiryDelta`). The same margin here means a
/// token we call expired is one the CLI agrees to refresh.
pub const EXPIRY_MARGIN_SECS: i64 = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// Seconds since the epoch; `None` when absent or unreadable.
    pub exp: Option<i64>,
    pub sub: Option<String>,
}

/// `None` when the token is not a JWT at all (an opaque token: Atlas decides).
pub fn claims(token: &str) -> Option<Claims> {
    let mut parts = token.trim().split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || payload.len() > 64 * 1024 {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = match v.get("exp") {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|_| i64::MAX))
            .or_else(|| {
                n.as_f64()
                    .map(|f| f.clamp(i64::MIN as f64, i64::MAX as f64) as i64)
            }),
        _ => None,
    };
    let sub = v
        .get("sub")
        .and_then(|s| s.as_str())
        .map(|s| s.chars().take(200).collect());
    Some(Claims { exp, sub })
}

/// When the token stops being usable (`exp` minus the margin), if known.
pub fn usable_until(token: &str) -> Option<i64> {
    claims(token)?
        .exp
        .map(|e| e.saturating_sub(EXPIRY_MARGIN_SECS))
}

/// True when the token is known to be expired at `now` (Unix seconds).
pub fn is_expired(token: &str, now: i64) -> bool {
    usable_until(token).is_some_and(|t| now >= t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", e(r#"{"alg":"RS256"}"#), e(payload))
    }

    #[test]
    fn reads_exp_and_sub() {
        let t = jwt(r#"{"sub":"ana@example.com","exp":1700000000}"#);
        assert_eq!(
            claims(&t),
            Some(Claims {
                exp: Some(1_700_000_000),
                sub: Some("ana@example.com".into())
            })
        );
        assert!(!is_expired(&t, 1_699_999_989));
        assert!(is_expired(&t, 1_699_999_990), "the CLI's 10 s margin");
    }

    #[test]
    fn odd_tokens_never_panic_and_never_count_as_expired_by_guess() {
        assert_eq!(claims("opaque-token"), None);
        assert!(!is_expired("opaque-token", i64::MAX));
        assert_eq!(claims("a.b.c.d"), None);
        assert_eq!(claims(&jwt("not json")), None);
        assert_eq!(claims(&jwt(r#"{"exp":"soon"}"#)).unwrap().exp, None);
        assert_eq!(
            claims(&jwt(r#"{"exp":18446744073709551615}"#)).unwrap().exp,
            Some(i64::MAX)
        );
        assert_eq!(claims(&jwt(r#"{"exp":-5}"#)).unwrap().exp, Some(-5));
        assert_eq!(
            claims(&jwt(r#"{"exp":1e300}"#)).unwrap().exp,
            Some(i64::MAX)
        );
        assert!(is_expired(&jwt(r#"{"exp":-9223372036854775808}"#), 0));
    }
}
