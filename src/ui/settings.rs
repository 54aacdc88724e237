//! The settings only the UI can check: `[theme]` colours and `[keys]`
//! bindings are UI types, built here, and their problems join the others
//! found while reading the settings.

use crate::app::keymap::Keymap;
use crate::config::Resolved;

use super::Theme;

/// Adds the theme's and the keymap's problems to `r.problems`, each
/// naming atlas-x509's own config file.
pub fn check_settings(r: &mut Resolved) {
    let (_, theme) = Theme::with_colors(r.color.value, &r.theme_colors);
    let (_, keys) = Keymap::with_overrides(&r.keys);
    let own = r.own_path.display().to_string();
    r.problems
        .extend(theme.into_iter().chain(keys).map(|p| format!("{own}: {p}")));
}
