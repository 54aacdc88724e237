//! What an X.509 username may be, checked before anything is sent: a
//! MANAGED user is a plain name or `CN=name` (Atlas writes the certificate
//! subject as `CN=<name>`), a CUSTOMER user is the RFC 2253 subject DN its
//! certificates carry. Atlas refuses some of the rest, and accepts some it
//! should not (`bob,CN=admin` would read as a DN to whoever parses it).

/// Longer than any DN a CA would issue; Atlas's own limit is near this.
const MAX_LEN: usize = 1_024;

fn common(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the username is empty".into());
    }
    if name.len() > MAX_LEN {
        return Err(format!("the username is over {MAX_LEN} bytes"));
    }
    if name.chars().any(crate::sanitize::is_unsafe) {
        return Err("the username holds control characters".into());
    }
    if name != name.trim() {
        return Err("the username starts or ends with a space".into());
    }
    Ok(())
}

/// Splits `dn` at the separators RFC 2253 leaves unescaped (`,` and `+`).
fn rdn_parts(dn: &str) -> Vec<&str> {
    let mut parts = vec![];
    let (mut start, mut escaped) = (0, false);
    for (i, c) in dn.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' | '+' => {
                parts.push(&dn[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&dn[start..]);
    parts
}

fn attribute(part: &str) -> Result<(&str, &str), String> {
    let (ty, value) = part
        .split_once('=')
        .ok_or_else(|| format!("{:?} is not type=value", crate::sanitize::line(part, 80)))?;
    let ty = ty.trim();
    let keyword = ty.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && ty.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let oid = !ty.is_empty()
        && ty
            .split('.')
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    if !(keyword || oid) {
        return Err(format!(
            "{:?} is not an attribute type (CN, OU, O, …)",
            crate::sanitize::line(ty, 40)
        ));
    }
    if value.trim().is_empty() {
        return Err(format!("{ty}= has no value"));
    }
    value_rules(value).map_err(|why| format!("the value of {ty}= {why}"))?;
    Ok((ty, value))
}

/// RFC 4514's rules for an attribute value: `\` escapes one of
/// `"+,;<>\#= ` or two hex digits (never `\00`), `"`, `;`, `<` and `>`
/// appear only escaped, and a leading `#` is hex-encoded BER.
fn value_rules(value: &str) -> Result<(), String> {
    if let Some(hex) = value.strip_prefix('#') {
        return if !hex.is_empty()
            && hex.len() % 2 == 0
            && hex.chars().all(|c| c.is_ascii_hexdigit())
        {
            Ok(())
        } else {
            Err("starts with # but is not hex-encoded (escape it as \\#)".into())
        };
    }
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                None => return Err("ends with a dangling \\".into()),
                Some('"' | '+' | ',' | ';' | '<' | '>' | '\\' | '#' | '=' | ' ') => {}
                Some(h1) if h1.is_ascii_hexdigit() => match chars.next() {
                    Some(h2) if h2.is_ascii_hexdigit() => {
                        if h1 == '0' && h2 == '0' {
                            return Err("holds an escaped NUL (\\00)".into());
                        }
                    }
                    _ => return Err(
                        "has a \\ escape that is neither a special character nor two hex digits"
                            .into(),
                    ),
                },
                Some(_) => {
                    return Err(
                        "has a \\ escape that is neither a special character nor two hex digits"
                            .into(),
                    );
                }
            },
            '"' | ';' | '<' | '>' => {
                return Err(format!("holds an unescaped {c:?} (write it as \\{c})"));
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn check_managed(name: &str) -> Result<(), String> {
    common(name)?;
    let cn = match name.strip_prefix("CN=") {
        Some(rest) => rest,
        None => name,
    };
    if cn.is_empty() {
        return Err("CN= has no name after it".into());
    }
    value_rules(cn).map_err(|why| format!("the name {why}"))?;
    // One CN and nothing else: a separator or `=` would make it another DN.
    let mut escaped = false;
    for c in cn.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            ',' | '+' | '=' | ';' => {
                return Err(format!(
                    "a MANAGED user is a plain name or CN=name; {:?} would read as a longer DN (use --x509 customer for a DN from your CA)",
                    crate::sanitize::line(name, 120)
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn check_customer(dn: &str) -> Result<(), String> {
    common(dn)?;
    for part in rdn_parts(dn) {
        attribute(part).map_err(|why| {
            format!(
                "a CUSTOMER user is the RFC 2253 subject DN of its certificates, such as CN=app,OU=ops,O=acme: {why}"
            )
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_names_are_one_cn() {
        for ok in ["bob", "CN=bob", "svc.orders", "app-1", "CN=a\\,b"] {
            assert!(check_managed(ok).is_ok(), "{ok}");
        }
        for bad in [
            "CN=bob,OU=admin,O=evil",
            "bob,CN=admin",
            "CN=",
            "",
            " bob",
            "a=b",
            "b\u{1b}[31m",
        ] {
            assert!(check_managed(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn customer_names_are_dns() {
        for ok in [
            "CN=app,OU=ops,O=acme",
            "CN=app",
            "CN=a\\,b,O=x",
            "2.5.4.3=app",
            "CN=a+UID=1",
        ] {
            assert!(check_customer(ok).is_ok(), "{ok}");
        }
        for bad in ["bob", "CN=", "CN=app,,O=x", "=x", "C N=x", "CN=app,O=\u{7}"] {
            assert!(check_customer(bad).is_err(), "{bad:?}");
        }
        // RFC 4514: a dangling escape, an unescaped ';', an escaped NUL.
        for (bad, says) in [
            ("CN=bob\\", "dangling"),
            ("CN=bob;OU=eng", "unescaped ';'"),
            ("CN=a\\00b", "NUL"),
            ("CN=a\\zz", "neither"),
            ("CN=#zz", "hex"),
            ("CN=a<b", "unescaped '<'"),
        ] {
            let e = check_customer(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
        for ok in ["CN=bob\\;x", "CN=a\\2Cb", "CN=#04024869", "CN=a\\ b"] {
            assert!(check_customer(ok).is_ok(), "{ok}");
        }
        assert!(check_managed("CN=bob\\").is_err());
    }
}
