//! Server text is data. Every string a server sent passes through here
//! before it reaches a terminal (TUI, stdout table, stderr message): control
//! characters are shown as escapes instead of being obeyed, length is
//! capped, and private keys or credentials a server echoes back are
//! redacted. Neutral module: the UI, the commands and the errors share it.

/// Above this a server's `detail` says nothing more a person can read.
pub const DETAIL_MAX: usize = 1_000;

/// Characters that would steer a terminal or reorder the text around them:
/// C0 (including ESC and newlines), DEL, C1 (U+0080–U+009F, where CSI and
/// OSC also live), and the Unicode bidirectional controls.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{1b}' => out.push_str("\\e"),
        c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// One line of server text, safe to print: escapes, redactions, at most
/// `max` characters (an ellipsis marks a cut).
pub fn line(s: &str, max: usize) -> String {
    clean(s, max, false)
}

/// [`line`], borrowing `s` when it needs nothing done (most text does).
pub fn line_cow(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    // Bytes bound characters: no more bytes than `max`, no cut.
    let plain = s.len() <= max
        && !s.chars().any(is_unsafe)
        && matches!(redact(s), std::borrow::Cow::Borrowed(_));
    if plain {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(clean(s, max, false))
    }
}

/// Like [`line`] but keeps line breaks (for multi-line messages).
pub fn lines(s: &str, max: usize) -> String {
    clean(s, max, true)
}

fn clean(s: &str, max: usize, keep_newlines: bool) -> String {
    let redacted = redact(s);
    let mut out = String::with_capacity(redacted.len().min(max.saturating_mul(4)) + 4);
    for (count, c) in redacted.chars().enumerate() {
        if count >= max {
            out.push('…');
            return out;
        }
        if keep_newlines && c == '\n' {
            out.push('\n');
        } else if is_unsafe(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

fn has_credential(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.contains("basic ") || lower.contains("bearer ")
}

/// Every occurrence of a known secret (the lines of a key just issued, a
/// profile's tokens) becomes a marker, then [`redact`] runs: for text from
/// other programs, which may print what they were handed.
pub fn redact_known(s: &str, secrets: &[&str]) -> String {
    redact_known_keeping(s, secrets, &[])
}

/// [`redact_known`], sparing words that stand in `keep`: what the program
/// was handed itself and may echo (a deploy hook's file name, project id,
/// serial), which is no secret however opaque it looks.
pub fn redact_known_keeping(s: &str, secrets: &[&str], keep: &[&str]) -> String {
    let mut text = s.to_string();
    for secret in secrets.iter().filter(|x| x.len() >= 8) {
        if text.contains(secret) {
            text = text.replace(secret, "[redacted]");
        }
    }
    redact_hex(&redact_shapes_keeping(&redact(&text), keep))
}

/// Key material printed in another encoding (`openssl pkey -text`: the
/// private scalar as colon-separated hex; a long hex dump) becomes a
/// marker, word by word, the spacing kept.
fn redact_hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for piece in s.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end_matches(char::is_whitespace);
        out.push_str(if is_hex_run(word) {
            "[hex redacted]"
        } else {
            word
        });
        out.push_str(&piece[word.len()..]);
    }
    out
}

fn is_hex_run(word: &str) -> bool {
    let pairs = |w: &str| {
        let groups: Vec<&str> = w.split(':').collect();
        let hex = groups
            .iter()
            .all(|g| g.len() == 2 && g.bytes().all(|b| b.is_ascii_hexdigit()));
        if hex { groups.len() } else { 0 }
    };
    // "00:c3:4f:…" lines; a continued line ends with ':'. "10:15:30" is a
    // time: three groups and no trailing ':' stay.
    let colon_hex = match word.strip_suffix(':') {
        Some(w) => pairs(w) >= 2,
        None => pairs(word) >= 4,
    };
    colon_hex || (word.len() >= 32 && word.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Key names whose value is a secret, as programs print them
/// (`refresh_token: …`, `"client_secret":"…"`, `password=…`).
const SECRET_KEYS: [&str; 8] = [
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "api_key",
    "private_key",
    "authorization",
];

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '/' | '=' | '~')
}

/// A JWT: three base64url parts, the header's JSON starting `{"` (`eyJ`).
fn is_jwt(run: &str) -> bool {
    run.split('.').filter(|p| !p.is_empty()).count() >= 3
        && run
            .split('.')
            .any(|p| p.starts_with("eyJ") && p.len() >= 10)
}

/// Long, opaque and mixing letters with digits: how API keys, refresh
/// tokens and client secrets look, and how words, paths and ids do not.
fn is_opaque(piece: &str) -> bool {
    piece.len() >= 32
        && piece.bytes().any(|b| b.is_ascii_digit())
        && piece.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Text from other programs may hold credentials we never knew (a token
/// the Atlas CLI just rotated): anything shaped like one becomes a marker.
pub fn redact_token_shapes(s: &str) -> String {
    redact_shapes_keeping(s, &[])
}

fn redact_shapes_keeping(s: &str, keep: &[&str]) -> String {
    let kept = |word: &str| keep.iter().any(|k| k.contains(word));
    let mut out = String::with_capacity(s.len());
    // After a secret-named key: the next run is its value.
    let mut key_before = false;
    let mut rest = s;
    while let Some(start) = rest.find(token_char) {
        let gap = &rest[..start];
        let separators_only = gap
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '"' | '\'' | ':' | '='));
        let assigned = gap.contains(':') || gap.contains('=');
        out.push_str(gap);
        let len = rest[start..]
            .find(|c: char| !token_char(c))
            .unwrap_or(rest.len() - start);
        let run = &rest[start..start + len];
        rest = &rest[start + len..];
        // "token: abc123", but not "token expired".
        let is_value = key_before
            && separators_only
            && if assigned {
                run.len() >= 6
            } else {
                run.len() >= 16 && run.bytes().any(|b| b.is_ascii_digit())
            };
        // What was handed is spared a redaction, never read as a key.
        if (is_value || is_jwt(run)) && !kept(run) {
            out.push_str("[redacted]");
            key_before = false;
            continue;
        }
        // `password=hunter22` arrives as one run.
        if let Some((k, v)) = run.split_once('=')
            && is_secret_key(k)
            && v.len() >= 6
            && !kept(run)
        {
            out.push_str(k);
            out.push_str("=[redacted]");
            key_before = false;
            continue;
        }
        key_before = is_secret_key(run);
        push_pieces(&mut out, run, &kept);
    }
    out.push_str(rest);
    out
}

fn is_secret_key(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|k| lower.ends_with(k))
}

/// A run split on `/` and `.` (paths, host names), each opaque piece
/// redacted.
fn push_pieces(out: &mut String, run: &str, kept: &dyn Fn(&str) -> bool) {
    let mut piece_start = 0;
    for (i, c) in run.char_indices().chain(std::iter::once((run.len(), '/'))) {
        if c == '/' || c == '.' {
            let piece = &run[piece_start..i];
            // `NAME=value` where the value was handed: the line is kept.
            let handed_value = piece
                .split_once('=')
                .is_some_and(|(_, v)| !v.is_empty() && kept(v));
            out.push_str(if is_opaque(piece) && !kept(piece) && !handed_value {
                "[redacted]"
            } else {
                piece
            });
            if i < run.len() {
                out.push(c);
            }
            piece_start = i + 1;
        }
    }
}

/// Private-key PEM blocks and `Basic`/`Bearer` credentials become markers.
pub fn redact(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("PRIVATE KEY") && !has_credential(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut text = redact_keys(s);
    for scheme in ["Basic", "Bearer"] {
        text = redact_scheme(&text, scheme);
    }
    std::borrow::Cow::Owned(text)
}

fn redact_keys(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("-----BEGIN ") {
        let header_end = rest[start..].find('\n').map_or(rest.len(), |n| start + n);
        let header = &rest[start..header_end];
        if !header.contains("PRIVATE KEY") {
            out.push_str(&rest[..header_end]);
            rest = &rest[header_end..];
            continue;
        }
        out.push_str(&rest[..start]);
        out.push_str("[private key redacted]");
        // Up to the end marker's line, or everything if it never ends.
        rest = match rest[start..].find("-----END ") {
            Some(e) => {
                let end_at = start + e;
                let after = rest[end_at + 9..]
                    .find("-----")
                    .map_or(rest.len(), |n| end_at + 9 + n + 5);
                &rest[after..]
            }
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// `Bearer abc.def` → `Bearer [redacted]`, whatever the case of the scheme.
fn redact_scheme(s: &str, scheme: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let needle = format!("{} ", scheme.to_ascii_lowercase());
    let mut out = String::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find(&needle) {
        let token_start = at + i + needle.len();
        let token_len = s[token_start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '}'))
            .unwrap_or(s.len() - token_start);
        out.push_str(&s[at..token_start]);
        if token_len > 0 {
            out.push_str("[redacted]");
        }
        at = token_start + token_len;
    }
    out.push_str(&s[at..]);
    out
}

/// JSON from `serde_json` is valid but leaves DEL, C1 and bidi controls
/// raw inside strings; a terminal may act on them. They can only occur in
/// string literals, so escaping them as `\uXXXX` keeps the same value.
pub fn json_for_terminal(json: &str) -> String {
    if !json.chars().any(is_unsafe) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes_in_child_output_are_redacted() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlX2hlcmU";
        let refresh = "v1.MRq3xQ9k2ZpLw8YtN4bV7cJ0dF6gH1sA5eU";
        let uuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let cases = [
            (
                format!("Error: token {jwt} refused"),
                "Error: token [redacted] refused",
            ),
            (
                format!("refresh_token: {refresh}"),
                "refresh_token: [redacted]",
            ),
            (
                "{\"client_secret\":\"mdb_sa_sk_x\"}".to_string(),
                "{\"client_secret\":\"[redacted]\"}",
            ),
            (
                "password=hunter22 rest".to_string(),
                "password=[redacted] rest",
            ),
            (format!("key {uuid} invalid"), "key [redacted] invalid"),
            (format!("saw {refresh}"), "saw v1.[redacted]"),
        ];
        for (input, want) in &cases {
            assert_eq!(redact_token_shapes(input), *want, "{input}");
        }
        // Words, paths, hosts and ids stay readable.
        for plain in [
            "the access token expired at 2026-01-01T00:00:00Z",
            "cannot reach https://cloud.mongodb.com/api/atlas/v2/groups",
            "profile [work] in /home/u/.config/atlascli/config.toml",
            "project 5f1e2d3c4b5a697887960123 not found",
            "Error: invalid refresh token, run atlas auth login",
            "secret: none",
        ] {
            assert_eq!(redact_token_shapes(plain), plain);
        }
        assert_eq!(
            redact_known(&format!("x {refresh} y"), &[refresh]),
            "x [redacted] y"
        );
        // What a hook was handed is echoed back whole.
        let name = "/etc/app/65f1a2b3c4d5e6f708192a3b-alice-4427798065393187087.pem";
        let said = format!("installed {name}; token {refresh}");
        assert_eq!(
            redact_known_keeping(&said, &[], &[name]),
            format!("installed {name}; token [redacted]")
        );
        assert!(!redact_known(&said, &[]).contains("4427798065393187087"));
        // A secret's key word inside something handed must still mark the
        // value after it.
        assert_eq!(
            redact_known_keeping("token: abc123456", &[], &["/srv/token-service.pem"]),
            "token: [redacted]"
        );
    }

    #[test]
    fn controls_are_shown_not_obeyed() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\u{9b}2Jc\u{7f}\r\n\u{202e}x";
        let s = line(hostile, 100);
        assert_eq!(s, "a\\e]0;pwned\\x07b\\x9b2Jc\\x7f\\r\\n\\u{202e}x");
        assert!(!s.chars().any(is_unsafe));
        assert_eq!(lines("a\nb\u{1b}", 100), "a\nb\\e");
    }

    #[test]
    fn length_is_capped_with_a_mark() {
        assert_eq!(line("abcdef", 3), "abc…");
        assert_eq!(line("abc", 3), "abc");
        assert_eq!(line(&"x".repeat(100_000), 10).chars().count(), 11);
    }

    #[test]
    fn keys_and_credentials_are_redacted() {
        let body = "echo: -----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n-----BEGIN RSA PRIVATE KEY-----\nSECRET\n-----END RSA PRIVATE KEY----- tail";
        let s = lines(body, 1000);
        assert!(!s.contains("SECRET"), "{s}");
        assert!(s.contains("[private key redacted] tail"), "{s}");
        assert!(s.contains("BEGIN CERTIFICATE"));
        let cut = "-----BEGIN PRIVATE KEY-----\nSECRET never ends";
        assert!(!line(cut, 1000).contains("SECRET"));
        let auth = r#"you sent "Authorization: Basic dXNlcjpwYXNz", and bearer eyJ.abc.def; ok"#;
        let s = line(auth, 1000);
        assert!(!s.contains("dXNlcjpwYXNz") && !s.contains("eyJ"), "{s}");
        assert!(s.contains("Basic [redacted]") && s.contains("bearer [redacted]"));
    }

    #[test]
    fn json_stays_json() {
        let v = serde_json::json!({"name": "a\u{1b}[2J\u{9b}\u{7f}\u{202e}"});
        let text = json_for_terminal(&serde_json::to_string(&v).unwrap());
        assert!(!text.chars().any(is_unsafe), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn handed_values_stay_and_hex_key_material_goes() {
        let keep = [
            "65f1a2b3c4d5e6f708192a3c",
            "4427798065393187087",
            "2027-03-06T00:00:00Z",
        ];
        let text = "ATLAS_X509_PROJECT_ID=65f1a2b3c4d5e6f708192a3c\nATLAS_X509_SERIAL=4427798065393187087\nATLAS_X509_NOT_AFTER=2027-03-06T00:00:00Z\n";
        assert_eq!(redact_known_keeping(text, &[], &keep), text);
        let pkey = "priv:\n    00:c3:4f:9a:11:22:33:44:55:66:77:88:99:aa:bb:\n    cc:dd:\n    ee:ff\npub:\n";
        let out = redact_known_keeping(pkey, &[], &[]);
        assert!(!out.contains("c3:4f") && !out.contains("cc:dd"), "{out}");
        assert!(
            out.contains("[hex redacted]") && out.contains("priv:"),
            "{out}"
        );
        let dump = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
        assert!(redact_known_keeping(dump, &[], &[]).ends_with("redacted]"));
        assert_eq!(redact_hex(dump), "[hex redacted]");
        // A time of day is not key material.
        assert_eq!(
            redact_known_keeping("at 10:15:30 ok", &[], &[]),
            "at 10:15:30 ok"
        );
    }
}
