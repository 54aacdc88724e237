//! atlas-x509's own settings file. No secrets here by design: those stay in
//! the environment or the Atlas CLI's keyring. Unknown keys and bad values
//! are reported, never silently ignored.

use std::collections::BTreeMap;

use toml::Value;

use crate::pem::clipboard::ClipboardMode;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnConfig {
    pub profile: Option<String>,
    pub base_url: Option<String>,
    pub project_id: Option<String>,
    pub items_per_page: Option<u32>,
    pub default_months: Option<u8>,
    pub save_dir: Option<String>,
    pub clipboard: Option<ClipboardMode>,
    pub clipboard_clear_after: Option<u64>,
    pub timeout: Option<u64>,
    pub concurrency: Option<usize>,
    pub mouse: Option<bool>,
    /// `key_write_ahead = false`: an issued key stays in memory only until
    /// it is saved or copied (the dialog says what that risks).
    pub key_write_ahead: Option<bool>,
    /// `[theme] color = false` turns colour off, like NO_COLOR.
    pub color: Option<bool>,
    /// `[theme]` colour names by role (accent, ok, warn, danger, special, dim).
    pub theme_colors: BTreeMap<String, String>,
    /// `[keys] action = "key"` or `["key", "key"]`.
    pub keys: BTreeMap<String, Vec<String>>,
}

fn int_in(v: &Value, lo: i64, hi: i64) -> Option<i64> {
    v.as_integer().filter(|n| (lo..=hi).contains(n))
}

/// The settings, and every problem found (the rest still applies).
pub fn parse(text: &str) -> Result<(OwnConfig, Vec<String>), String> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_string())?;
    let mut c = OwnConfig::default();
    let mut problems = Vec::new();
    macro_rules! bad {
        ($key:expr, $want:expr) => {
            problems.push(format!("`{}` must be {}; ignored", $key, $want))
        };
    }
    for (key, v) in &table {
        match key.as_str() {
            "profile" | "base_url" | "project_id" | "save_dir" => match v.as_str() {
                Some(s) => {
                    let s = Some(s.to_string());
                    match key.as_str() {
                        "profile" => c.profile = s,
                        "base_url" => c.base_url = s,
                        "project_id" => c.project_id = s,
                        _ => c.save_dir = s,
                    }
                }
                None => bad!(key, "a string"),
            },
            "items_per_page" => match int_in(v, 1, 500) {
                Some(n) => c.items_per_page = Some(n as u32),
                None => bad!(key, "a whole number from 1 to 500"),
            },
            "default_months" => match int_in(v, 1, 24) {
                Some(n) => c.default_months = Some(n as u8),
                None => bad!(key, "a whole number from 1 to 24"),
            },
            "timeout" => match int_in(v, 1, 600) {
                Some(n) => c.timeout = Some(n as u64),
                None => bad!(key, "seconds from 1 to 600"),
            },
            "concurrency" => match int_in(v, 1, 32) {
                Some(n) => c.concurrency = Some(n as usize),
                None => bad!(key, "a whole number from 1 to 32"),
            },
            "clipboard_clear_after" => match int_in(v, 1, 86_400) {
                Some(n) => c.clipboard_clear_after = Some(n as u64),
                None => bad!(key, "seconds from 1 to 86400"),
            },
            "clipboard" => match v.as_str().and_then(|s| <ClipboardMode as clap::ValueEnum>::from_str(s, true).ok()) {
                Some(m) => c.clipboard = Some(m),
                None => bad!(key, "one of auto, arboard, osc52, off"),
            },
            "mouse" => match v.as_bool() {
                Some(b) => c.mouse = Some(b),
                None => bad!(key, "true or false"),
            },
            "key_write_ahead" => match v.as_bool() {
                Some(b) => c.key_write_ahead = Some(b),
                None => bad!(key, "true or false"),
            },
            "theme" => match v.as_table() {
                Some(t) => {
                    for (k, v) in t {
                        match (k.as_str(), v.as_bool()) {
                            ("color", Some(b)) => c.color = Some(b),
                            ("color", None) => bad!("theme.color", "true or false"),
                            (other, _) => match v.as_str() {
                                Some(name) => drop(c.theme_colors.insert(other.to_string(), name.to_string())),
                                None => bad!(format!("theme.{other}"), "a colour name"),
                            },
                        }
                    }
                }
                None => bad!(key, "a table"),
            },
            "keys" => match v.as_table() {
                Some(t) => {
                    for (action, keys) in t {
                        let list: Option<Vec<String>> = match keys {
                            Value::String(s) => Some(vec![s.clone()]),
                            Value::Array(a) => a.iter().map(|k| k.as_str().map(str::to_string)).collect(),
                            _ => None,
                        };
                        match list {
                            Some(l) if !l.is_empty() => drop(c.keys.insert(action.clone(), l)),
                            _ => problems.push(format!("`keys.{action}` must be a key or a list of keys; ignored")),
                        }
                    }
                }
                None => bad!(key, "a table"),
            },
            "public_api_key" | "private_api_key" | "client_id" | "client_secret" => problems.push(format!(
                "`{key}` is not read from atlas-x509's config: keep credentials in the environment or the Atlas CLI's profile"
            )),
            other => problems.push(format!("unknown key `{other}`; ignored")),
        }
    }
    Ok((c, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_settings_and_reports_problems() {
        let (c, problems) = parse(
            r#"
profile = "work"
items_per_page = 200
default_months = 6
save_dir = "~/certs"
clipboard = "osc52"
timeout = 15
colour = true
private_api_key = "oops"
[theme]
color = false
[keys]
issue = "I"
quit = ["q", "ctrl-q"]
"#,
        )
        .unwrap();
        assert_eq!(c.profile.as_deref(), Some("work"));
        assert_eq!(
            (c.items_per_page, c.default_months, c.timeout),
            (Some(200), Some(6), Some(15))
        );
        assert_eq!(c.clipboard, Some(ClipboardMode::Osc52));
        assert_eq!(c.color, Some(false));
        assert_eq!(c.keys["quit"], ["q", "ctrl-q"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("unknown key `colour`")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("`private_api_key` is not read"))
        );
    }

    #[test]
    fn the_write_ahead_can_be_turned_off_and_only_by_a_boolean() {
        let (c, problems) = parse("key_write_ahead = false").unwrap();
        assert_eq!(c.key_write_ahead, Some(false));
        assert!(problems.is_empty());
        let (c, problems) = parse("key_write_ahead = \"no\"").unwrap();
        assert_eq!(
            c.key_write_ahead, None,
            "a bad value keeps the default (on)"
        );
        assert_eq!(
            problems,
            vec!["`key_write_ahead` must be true or false; ignored"]
        );
    }

    #[test]
    fn out_of_range_values_are_reported() {
        let (c, problems) =
            parse("items_per_page = 900\ndefault_months = 0\nclipboard = \"xclip\"").unwrap();
        assert_eq!(c, OwnConfig::default());
        assert_eq!(problems.len(), 3, "{problems:?}");
    }
}
