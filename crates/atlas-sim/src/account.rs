//! User-account sessions, as `atlas auth login` gets them: a JWT access
//! token (HS256 with the simulator's own key, `exp` set by the token
//! lifetime) and an opaque refresh token that is spent on use and replaced,
//! as Atlas rotates them.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::digest::constant_time_eq;

/// The subject the simulator's user tokens carry.
pub const SUBJECT: &str = "demo.user@atlas-x509.invalid";

/// At most this many refresh tokens are live: a client refreshing in a loop
/// cannot grow the simulator's memory.
const MAX_SESSIONS: usize = 10_000;

pub struct Sessions {
    key: [u8; 32],
    refresh: HashSet<String>,
}

/// A freshly minted pair.
pub struct Pair {
    pub access_token: String,
    pub refresh_token: String,
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new()
    }
}

impl Sessions {
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("OS randomness");
        Self {
            key,
            refresh: HashSet::new(),
        }
    }

    /// A new session: an access token expiring `ttl` seconds after `now`
    /// (negative for one already expired) and a refresh token.
    pub fn mint(&mut self, now: i64, ttl: i64) -> Pair {
        if self.refresh.len() >= MAX_SESSIONS {
            self.refresh.clear();
        }
        let refresh_token = random_token();
        self.refresh.insert(refresh_token.clone());
        Pair {
            access_token: self.access_token(now, ttl),
            refresh_token,
        }
    }

    /// An access token alone (tests make expired ones with it).
    pub fn access_token(&self, now: i64, ttl: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "iss": "atlas-x509-sim",
            "sub": SUBJECT,
            "iat": now,
            "exp": now.saturating_add(ttl),
            "jti": random_token(),
        });
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let sig = URL_SAFE_NO_PAD.encode(hmac_sha256(&self.key, signing_input.as_bytes()));
        format!("{signing_input}.{sig}")
    }

    /// A token this simulator signed and whose `exp` is still ahead.
    pub fn verify(&self, token: &str, now: i64) -> bool {
        let Some((signing_input, sig)) = token.rsplit_once('.') else {
            return false;
        };
        let want = URL_SAFE_NO_PAD.encode(hmac_sha256(&self.key, signing_input.as_bytes()));
        if !constant_time_eq(want.as_bytes(), sig.as_bytes()) {
            return false;
        }
        atlas_client::jwt::claims(token)
            .and_then(|c| c.exp)
            .is_some_and(|exp| now < exp)
    }

    /// Spends a refresh token for a new pair; `None` if it is unknown or spent.
    pub fn refresh(&mut self, refresh_token: &str, now: i64, ttl: i64) -> Option<Pair> {
        self.refresh
            .remove(refresh_token)
            .then(|| self.mint(now, ttl))
    }
}

fn random_token() -> String {
    let mut raw = [0u8; 24];
    getrandom::fill(&mut raw).expect("OS randomness");
    URL_SAFE_NO_PAD.encode(raw)
}

/// RFC 2104 over SHA-256: one small function instead of another crate.
fn hmac_sha256(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let pad = |b: u8| block.map(|k| k ^ b);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_shape() {
        // RFC 4231 test case 2 uses a 4-byte key; ours are 32 bytes, so check
        // against a value computed independently (python3 hmac, key = 32 × 0x0b).
        let key = [0x0bu8; 32];
        let mac = hmac_sha256(&key, b"Hi There");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"
        );
    }

    #[test]
    fn tokens_verify_until_they_expire_and_refresh_rotates() {
        let mut s = Sessions::new();
        let pair = s.mint(1_000, 60);
        assert!(s.verify(&pair.access_token, 1_059));
        assert!(!s.verify(&pair.access_token, 1_060));
        assert_eq!(
            atlas_client::jwt::claims(&pair.access_token)
                .unwrap()
                .sub
                .as_deref(),
            Some(SUBJECT)
        );
        let mut forged = pair.access_token.clone();
        forged.push('x');
        assert!(!s.verify(&forged, 1_000));
        assert!(
            !Sessions::new().verify(&pair.access_token, 1_000),
            "another key"
        );
        let next = s
            .refresh(&pair.refresh_token, 2_000, 60)
            .expect("refreshed");
        assert!(s.verify(&next.access_token, 2_000));
        assert!(s.refresh(&pair.refresh_token, 2_000, 60).is_none(), "spent");
        assert!(s.refresh("unknown", 2_000, 60).is_none());
    }
}
