//! Where each OS keeps configuration, as the Atlas CLI (Go's
//! `os.UserConfigDir`) finds it.

use std::path::PathBuf;

/// The systems whose config directory conventions differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Unix,
    MacOs,
    Windows,
}

impl Os {
    pub const fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Unix
        }
    }
}

/// Go's `os.UserConfigDir()`, which the Atlas CLI uses: `$XDG_CONFIG_HOME`
/// (an error if relative) or `~/.config` on Unix, `~/Library/Application
/// Support` on macOS, `%AppData%` on Windows. Stricter than Go in one way: an
/// empty or relative home counts as unset, so nothing is read (a file
/// planted in the current directory must not become the config).
pub fn user_config_dir(os: Os, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let absolute = |name: &str| {
        env(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() || (os == Os::Windows && looks_absolute_on_windows(p)))
    };
    match os {
        Os::Windows => absolute("AppData"),
        Os::MacOs => absolute("HOME").map(|h| h.join("Library/Application Support")),
        Os::Unix => match env("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
            Some(_) => absolute("XDG_CONFIG_HOME"),
            None => absolute("HOME").map(|h| h.join(".config")),
        },
    }
}

/// `C:\…` or `\\server\…`, whatever system this build runs on (tests).
fn looks_absolute_on_windows(p: &std::path::Path) -> bool {
    let s = p.to_string_lossy();
    let b = s.as_bytes();
    (b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/'))
        || s.starts_with("\\\\")
}

/// `<user config dir>/<app>/config.toml`, or `None` when there is no
/// trustworthy config directory.
pub fn config_path(env: &dyn Fn(&str) -> Option<String>, app: &str) -> Option<PathBuf> {
    Some(
        user_config_dir(Os::current(), env)?
            .join(app)
            .join("config.toml"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_relative_home_reads_no_config() {
        let env = |home: &'static str| move |n: &str| (n == "HOME").then(|| home.to_string());
        assert_eq!(config_path(&env(""), "atlascli"), None);
        assert_eq!(config_path(&env("relative/dir"), "atlascli"), None);
        assert_eq!(
            config_path(&env("/home/u"), "atlascli"),
            Some(PathBuf::from("/home/u/.config/atlascli/config.toml"))
        );
    }

    #[test]
    fn config_dirs_as_go_computes_them() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        let unix = env(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/x/cfg")]);
        assert_eq!(
            user_config_dir(Os::Unix, &unix),
            Some(PathBuf::from("/x/cfg"))
        );
        let relative_xdg = env(&[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "cfg")]);
        assert_eq!(
            user_config_dir(Os::Unix, &relative_xdg),
            None,
            "Go: an error"
        );
        let mac = env(&[("HOME", "/Users/u"), ("XDG_CONFIG_HOME", "/ignored")]);
        assert_eq!(
            user_config_dir(Os::MacOs, &mac),
            Some(PathBuf::from("/Users/u/Library/Application Support"))
        );
        let win = env(&[("AppData", "C:\\Users\\u\\AppData\\Roaming")]);
        assert_eq!(
            user_config_dir(Os::Windows, &win),
            Some(PathBuf::from("C:\\Users\\u\\AppData\\Roaming"))
        );
        assert_eq!(user_config_dir(Os::Windows, &env(&[("AppData", "")])), None);
        assert_eq!(user_config_dir(Os::MacOs, &env(&[("HOME", "")])), None);
    }
}
