//! The server side of HTTP Digest (RFC 7616, MD5, qop=auth) as Atlas runs it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use md5::{Digest as _, Md5};

pub const REALM: &str = "MMS Public API";

/// Atlas's 401 body, byte for byte as recorded (pretty-printed, unlike its other errors).
pub const UNAUTHORIZED_BODY: &str = "{\n  \"error\" : 401,\n  \"reason\" : \"Unauthorized\",\n  \"detail\" : \"You are not authorized for this resource.\",\n  \"errorCode\" : \"UNEXPECTED_ERROR\"\n}";

pub fn challenge(nonce: &str, stale: bool) -> String {
    format!(
        "Digest realm=\"{REALM}\", domain=\"\", nonce=\"{nonce}\", algorithm=MD5, qop=\"auth\", stale={stale}"
    )
}

/// Issued nonces and the counts already used with each, so a captured
/// request cannot be replayed while a client may reuse its nonce.
pub struct NonceStore {
    ttl: Duration,
    cap: usize,
    /// A strict server: each nonce's `nc` must rise with every request, as
    /// RFC 7616 allows a server to insist; out of order is a replay.
    strict: bool,
    entries: HashMap<String, NonceEntry>,
    order: VecDeque<String>,
}

struct NonceEntry {
    issued: Instant,
    seen: HashSet<u32>,
    highest: u32,
}

#[derive(Debug, PartialEq, Eq)]
pub enum NonceCheck {
    Fresh,
    /// Expired or forgotten: the client should retry with a new nonce.
    Stale,
    Replayed,
}

impl NonceStore {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            cap: 10_000,
            strict: false,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    pub fn is_strict(&self) -> bool {
        self.strict
    }

    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    pub fn issue(&mut self, now: Instant) -> String {
        let mut raw = [0u8; 24];
        getrandom::fill(&mut raw).expect("OS randomness");
        let nonce = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, raw);
        while self.order.len() >= self.cap {
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
        self.order.push_back(nonce.clone());
        self.entries.insert(
            nonce.clone(),
            NonceEntry {
                issued: now,
                seen: HashSet::new(),
                highest: 0,
            },
        );
        nonce
    }

    pub fn check(&mut self, nonce: &str, nc: u32, now: Instant) -> NonceCheck {
        match self.entries.get_mut(nonce) {
            None => NonceCheck::Stale,
            Some(e) if now.duration_since(e.issued) > self.ttl => NonceCheck::Stale,
            Some(e) if self.strict && nc <= e.highest => NonceCheck::Replayed,
            Some(e) => {
                e.highest = e.highest.max(nc);
                if e.seen.insert(nc) {
                    NonceCheck::Fresh
                } else {
                    NonceCheck::Replayed
                }
            }
        }
    }
}

/// Splits `Digest k=v, k="v", …` into its parameters.
pub fn parse_authorization(header: &str) -> Option<HashMap<String, String>> {
    let rest = header.trim_start();
    let (scheme, rest) = rest.split_at(rest.find(char::is_whitespace)?);
    if !scheme.eq_ignore_ascii_case("digest") {
        return None;
    }
    let mut out = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let key: String = chars
            .by_ref()
            .take_while(|c| *c != '=')
            .collect::<String>()
            .trim()
            .to_ascii_lowercase();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek() {
                if *c == ',' {
                    break;
                }
                value.push(*c);
                chars.next();
            }
            value = value.trim().to_string();
        }
        out.insert(key, value);
    }
    Some(out)
}

fn md5_hex(s: &str) -> String {
    let d = Md5::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub struct DigestInput<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub method: &'a str,
    pub uri: &'a str,
    pub nonce: &'a str,
    pub nc: &'a str,
    pub cnonce: &'a str,
}

pub fn expected_response(i: &DigestInput) -> String {
    response_in(REALM, i)
}

/// RFC 2617/7616 `qop=auth`, MD5, in any realm.
fn response_in(realm: &str, i: &DigestInput) -> String {
    let ha1 = md5_hex(&format!("{}:{realm}:{}", i.username, i.password));
    let ha2 = md5_hex(&format!("{}:{}", i.method, i.uri));
    md5_hex(&format!(
        "{ha1}:{}:{}:{}:auth:{ha2}",
        i.nonce, i.nc, i.cnonce
    ))
}

/// Compares without an early exit, so timing does not leak the answer.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFCs' own examples, worked by their authors: the expected
    /// responses are theirs, not ours.
    #[test]
    fn rfc_examples_give_the_rfcs_responses() {
        // RFC 2617 §3.5.
        let rfc2617 = DigestInput {
            username: "Mufasa",
            password: "Circle Of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            nc: "00000001",
            cnonce: "0a4f113b",
        };
        assert_eq!(
            response_in("testrealm@host.com", &rfc2617),
            "6629fae49393a05397450978507c4ef1"
        );
        // RFC 7616 §3.9.1, MD5.
        let rfc7616 = DigestInput {
            username: "Mufasa",
            password: "Circle of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            nc: "00000001",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        };
        assert_eq!(
            response_in("http-auth@example.org", &rfc7616),
            "8ca523f5e9506fed4657c9700eebdbec"
        );
        // The simulator's realm is Atlas's; only the realm differs.
        assert_eq!(expected_response(&rfc2617), response_in(REALM, &rfc2617));
        assert_ne!(
            expected_response(&rfc2617),
            response_in("testrealm@host.com", &rfc2617)
        );
    }

    #[test]
    fn a_strict_store_refuses_a_count_that_does_not_rise() {
        let now = Instant::now();
        let mut lax = NonceStore::new(Duration::from_secs(10));
        let n = lax.issue(now);
        assert_eq!(lax.check(&n, 3, now), NonceCheck::Fresh);
        assert_eq!(
            lax.check(&n, 2, now),
            NonceCheck::Fresh,
            "out of order is fine when lax"
        );
        assert_eq!(lax.check(&n, 2, now), NonceCheck::Replayed);
        let mut strict = NonceStore::new(Duration::from_secs(10)).strict(true);
        let n = strict.issue(now);
        assert_eq!(strict.check(&n, 3, now), NonceCheck::Fresh);
        assert_eq!(strict.check(&n, 2, now), NonceCheck::Replayed);
        assert_eq!(strict.check(&n, 4, now), NonceCheck::Fresh);
    }

    #[test]
    fn parses_quoted_and_bare_values() {
        let p = parse_authorization(r#"Digest username="abc", realm="MMS Public API", nonce="n+/=", uri="/a?b=c,d", algorithm=MD5, qop=auth, nc=00000001, cnonce="xyz", response="r""#).unwrap();
        assert_eq!(p["username"], "abc");
        assert_eq!(p["uri"], "/a?b=c,d");
        assert_eq!(p["qop"], "auth");
        assert_eq!(p["nc"], "00000001");
        assert_eq!(p["nonce"], "n+/=");
        assert!(parse_authorization("Bearer x").is_none());
    }

    #[test]
    fn nonces_expire_and_counts_cannot_repeat() {
        let mut s = NonceStore::new(Duration::from_secs(10));
        let t0 = Instant::now();
        let n = s.issue(t0);
        assert_eq!(n.len(), 32, "same length as Atlas's nonces");
        assert_eq!(s.check(&n, 1, t0), NonceCheck::Fresh);
        assert_eq!(s.check(&n, 2, t0), NonceCheck::Fresh);
        assert_eq!(s.check(&n, 1, t0), NonceCheck::Replayed);
        assert_eq!(
            s.check(&n, 3, t0 + Duration::from_secs(11)),
            NonceCheck::Stale
        );
        assert_eq!(s.check("unknown", 1, t0), NonceCheck::Stale);
    }

    #[test]
    fn challenge_matches_recording() {
        assert_eq!(
            challenge("89FU+zZ06zgKynmobMhdFzhWpORw6cYM", false),
            r#"Digest realm="MMS Public API", domain="", nonce="89FU+zZ06zgKynmobMhdFzhWpORw6cYM", algorithm=MD5, qop="auth", stale=false"#
        );
    }
}
