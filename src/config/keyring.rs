//! Secrets the Atlas CLI keeps in the OS keyring, read the way go-keyring
//! (the library the CLI writes them with) lays them out on each OS:
//! - Linux: a Secret Service item with attributes `service` and `username`;
//! - macOS: a Keychain generic password (service, account), its value
//!   `go-keyring-base64:` + base64 (older versions: `go-keyring-encoded:` + hex);
//! - Windows: a Credential Manager generic credential named
//!   `service:username` whose blob is the UTF-8 bytes.
//!
//! The naming and decoding are pure functions, tested on every OS; only
//! `lookup` asks the platform.

use base64::Engine;

const BASE64_PREFIX: &str = "go-keyring-base64:";
const HEX_PREFIX: &str = "go-keyring-encoded:";

/// A Keychain value as go-keyring's `Get` returns it: trimmed, and decoded
/// when it carries one of go-keyring's prefixes.
pub fn decode_macos(raw: &[u8]) -> Result<String, String> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| "the Keychain item is not text".to_string())?
        .trim();
    let bytes = if let Some(b64) = text.strip_prefix(BASE64_PREFIX) {
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| "the Keychain item's base64 is damaged".to_string())?
    } else if let Some(hex) = text.strip_prefix(HEX_PREFIX) {
        decode_hex(hex).ok_or("the Keychain item's hex is damaged")?
    } else {
        return Ok(text.to_string());
    };
    String::from_utf8(bytes).map_err(|_| "the Keychain item does not decode to text".into())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The Credential Manager target go-keyring uses (keyring-rs's own default,
/// `username.service`, would find nothing).
pub fn windows_target(service: &str, username: &str) -> String {
    format!("{service}:{username}")
}

/// A Credential Manager blob as go-keyring writes it: UTF-8, not the UTF-16
/// that keyring-rs's `get_password` expects.
pub fn decode_windows(blob: &[u8]) -> Result<String, String> {
    String::from_utf8(blob.to_vec())
        .map_err(|_| "the Credential Manager entry is not UTF-8 text".into())
}

/// A Secret Service secret: go-keyring stores the string's bytes.
pub fn decode_secret_service(secret: &[u8]) -> Result<String, String> {
    String::from_utf8(secret.to_vec()).map_err(|_| "the keyring item is not UTF-8 text".into())
}

/// The secret stored under (service, username); `Ok(None)` if there is none,
/// `Err` if no keyring could be asked.
pub fn lookup(service: &str, username: &str) -> Result<Option<String>, String> {
    match platform::get(service, username) {
        Ok(bytes) => platform::decode(&bytes).map(Some),
        Err(::keyring::Error::NoEntry) => Ok(None),
        Err(::keyring::Error::PlatformFailure(e)) | Err(::keyring::Error::NoStorageAccess(e)) => {
            Err(format!("no keyring answered ({e}){}", platform::HINT))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    pub const HINT: &str = "; is a Secret Service (gnome-keyring, KeePassXC…) running?";

    pub fn get(service: &str, username: &str) -> keyring::Result<Vec<u8>> {
        use keyring::credential::CredentialApi;
        // Exactly go-keyring's two attributes: keyring-rs's default adds a
        // `target` attribute the CLI's items lack, and finds nothing.
        keyring::secret_service::SsCredential::new_with_no_target(service, username)?.get_secret()
    }

    pub fn decode(bytes: &[u8]) -> Result<String, String> {
        super::decode_secret_service(bytes)
    }
}

#[cfg(target_os = "macos")]
mod platform {
    pub const HINT: &str = "";

    pub fn get(service: &str, username: &str) -> keyring::Result<Vec<u8>> {
        use keyring::credential::CredentialApi;
        keyring::macos::MacCredential::new_with_target(None, service, username)?.get_secret()
    }

    pub fn decode(bytes: &[u8]) -> Result<String, String> {
        super::decode_macos(bytes)
    }
}

#[cfg(target_os = "windows")]
mod platform {
    pub const HINT: &str = "";

    pub fn get(service: &str, username: &str) -> keyring::Result<Vec<u8>> {
        use keyring::credential::CredentialApi;
        let target = super::windows_target(service, username);
        keyring::windows::WinCredential::new_with_target(Some(&target), service, username)?
            .get_secret()
    }

    pub fn decode(bytes: &[u8]) -> Result<String, String> {
        super::decode_windows(bytes)
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod platform {
    pub const HINT: &str = "";

    pub fn get(_service: &str, _username: &str) -> keyring::Result<Vec<u8>> {
        Err(keyring::Error::NoStorageAccess(
            "no keyring is known on this OS".into(),
        ))
    }

    pub fn decode(bytes: &[u8]) -> Result<String, String> {
        super::decode_secret_service(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What go-keyring's macOS `Set` stores: the prefix and standard base64.
    fn go_keyring_macos_set(password: &str) -> String {
        format!(
            "{BASE64_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(password)
        )
    }

    #[test]
    fn macos_values_decode_as_go_keyring_reads_them() {
        for secret in ["ring-private-1111", "ключ с пробелами", "a\nb", "", "x=y:z"] {
            let stored = go_keyring_macos_set(secret);
            assert_eq!(decode_macos(stored.as_bytes()).unwrap(), secret);
        }
        // `security -w` output ends in a newline; go-keyring trims it.
        assert_eq!(
            decode_macos(format!("{}\n", go_keyring_macos_set("k")).as_bytes()).unwrap(),
            "k"
        );
        // Older go-keyring: hex.
        assert_eq!(decode_macos(b"go-keyring-encoded:6b6579").unwrap(), "key");
        // Stored by something else: taken as it is.
        assert_eq!(decode_macos(b"plain-secret").unwrap(), "plain-secret");
    }

    #[test]
    fn damaged_macos_values_are_errors_not_garbage() {
        assert!(decode_macos(b"go-keyring-base64:@@@").is_err());
        assert!(decode_macos(b"go-keyring-encoded:6b6").is_err());
        assert!(decode_macos(b"go-keyring-encoded:zz").is_err());
        assert!(decode_macos(&[0xff, 0xfe]).is_err());
        // base64 of invalid UTF-8
        assert!(decode_macos(b"go-keyring-base64://4=").is_err());
    }

    #[test]
    fn windows_names_and_blobs_are_go_keyrings() {
        assert_eq!(
            windows_target("atlascli_default", "private_api_key"),
            "atlascli_default:private_api_key"
        );
        assert_eq!(decode_windows("sécret".as_bytes()).unwrap(), "sécret");
        // UTF-16 (keyring-rs's own format) is not what go-keyring writes.
        let utf16: Vec<u8> = "ab\u{0}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .chain([0xd8, 0x00])
            .collect();
        assert!(decode_windows(&utf16).is_err());
    }

    #[test]
    fn secret_service_secrets_are_utf8() {
        assert_eq!(decode_secret_service(b"abc").unwrap(), "abc");
        assert!(decode_secret_service(&[0xc3]).is_err());
    }
}
