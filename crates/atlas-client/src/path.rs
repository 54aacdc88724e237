use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::Error;

/// What Go's `url.PathEscape` leaves alone (unreserved plus `: @ & = + $`),
/// so a DN such as `CN=app,OU=ops` reaches Atlas exactly as the Atlas CLI and
/// the Go SDK send it: `CN=app%2COU=ops`.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b':')
    .remove(b'@')
    .remove(b'&')
    .remove(b'=')
    .remove(b'+')
    .remove(b'$');

pub fn encode_path_segment(segment: &str) -> String {
    utf8_percent_encode(segment, PATH_SEGMENT).to_string()
}

pub fn validate_group_id(id: &str) -> Result<(), Error> {
    let ok = id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "project id {:?} is not valid: it must be 24 lowercase hexadecimal characters",
            shorten(id)
        )))
    }
}

pub fn validate_username(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::Invalid("the username is empty".into()));
    }
    // URL parsers fold `.`/`..` segments (even percent-encoded), so such a
    // name could never reach the right resource.
    if name == "." || name == ".." {
        return Err(Error::Invalid(format!(
            "the username {name:?} cannot be addressed in a URL path"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "the username {:?} contains control characters",
            shorten(name)
        )));
    }
    if name.len() > 1024 {
        return Err(Error::Invalid(
            "the username is longer than 1024 bytes".into(),
        ));
    }
    Ok(())
}

pub const MONTHS_RANGE: std::ops::RangeInclusive<i64> = 1..=24;

pub fn validate_months(months: i64) -> Result<u8, Error> {
    if MONTHS_RANGE.contains(&months) {
        Ok(months as u8)
    } else {
        Err(Error::Invalid(format!(
            "months until expiration must be from 1 to 24, not {months}"
        )))
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 64 {
        let mut t: String = s.chars().take(64).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_is_encoded_like_go_path_escape() {
        assert_eq!(
            encode_path_segment("CN=app,OU=ops,O=acme"),
            "CN=app%2COU=ops%2CO=acme"
        );
        assert_eq!(encode_path_segment("a/b c%d?e#f"), "a%2Fb%20c%25d%3Fe%23f");
        assert_eq!(encode_path_segment("svc.billing"), "svc.billing");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
        assert_eq!(encode_path_segment("$external"), "$external");
    }

    #[test]
    fn group_id_must_be_24_lower_hex() {
        assert!(validate_group_id("b0123456789abcdef012345b").is_ok());
        assert!(validate_group_id("B0123456789abcdef012345b").is_err());
        assert!(validate_group_id("b0123456789abcdef012345").is_err());
        assert!(validate_group_id("../../groups").is_err());
    }

    #[test]
    fn months_bounds() {
        assert!(validate_months(0).is_err());
        assert_eq!(validate_months(1).unwrap(), 1);
        assert_eq!(validate_months(24).unwrap(), 24);
        assert!(validate_months(25).is_err());
        assert!(validate_months(-3).is_err());
    }

    #[test]
    fn usernames() {
        assert!(validate_username("CN=app,OU=ops,O=acme").is_ok());
        assert!(validate_username("d0123456789abcdef012345d/user-332").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("..").is_err());
        assert!(validate_username("a\nb").is_err());
    }
}
