//! Secrets the Atlas CLI keeps in the OS keyring (Secret Service on Linux).
//! Behind the `keyring` cargo feature, so the default build needs no D-Bus.

#[cfg(feature = "keyring")]
pub fn lookup(service: &str, key: &str) -> Result<Option<String>, String> {
    // The Atlas CLI (go-keyring) stores items with just `service` and
    // `username` attributes: search by exactly those, no keyring-rs target.
    #[cfg(target_os = "linux")]
    let entry = ::keyring::Entry::new_with_credential(Box::new(
        ::keyring::secret_service::SsCredential::new_with_no_target(service, key)
            .map_err(|e| e.to_string())?,
    ));
    #[cfg(not(target_os = "linux"))]
    let entry = ::keyring::Entry::new(service, key).map_err(|e| e.to_string())?;
    match entry.get_password() {
        Ok(v) => Ok(Some(v)),
        Err(::keyring::Error::NoEntry) => Ok(None),
        Err(::keyring::Error::PlatformFailure(e)) | Err(::keyring::Error::NoStorageAccess(e)) => {
            Err(format!(
                "no secret service answered ({e}); is a keyring daemon (gnome-keyring, KeePassXC…) running?"
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(not(feature = "keyring"))]
pub fn lookup(_service: &str, _key: &str) -> Result<Option<String>, String> {
    Err("this build reads no keyring (rebuild with --features keyring); secrets stored in the Atlas CLI's TOML are still read".into())
}
