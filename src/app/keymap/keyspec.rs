//! Key names as written in the config (`"X"`, `"ctrl-x"`, `"pgdn"`) and
//! action names (`issue`, `next_page`).

use crossterm::event::{KeyCode, KeyModifiers};

use super::Action;
use super::defaults::{CTRL, NONE, SHIFT};

use KeyCode::*;

pub const ACTION_NAMES: &[(&str, Action)] = &[
    ("quit", Action::Quit),
    ("focus_next", Action::FocusNext),
    ("focus_prev", Action::FocusPrev),
    ("up", Action::Up),
    ("down", Action::Down),
    ("top", Action::Top),
    ("bottom", Action::Bottom),
    ("page_up", Action::PageUp),
    ("page_down", Action::PageDown),
    ("next_page", Action::NextPage),
    ("prev_page", Action::PrevPage),
    ("first_page", Action::FirstPage),
    ("last_page", Action::LastPage),
    ("open", Action::Open),
    ("command", Action::Command),
    ("more_per_page", Action::MorePerPage),
    ("fewer_per_page", Action::FewerPerPage),
    ("filter", Action::Filter),
    ("refresh", Action::Refresh),
    ("issue", Action::Issue),
    ("disable_customer_x509", Action::DisableCustomerX509),
    ("help", Action::Help),
    ("back", Action::Back),
    ("confirm", Action::Confirm),
    ("less", Action::Less),
    ("more", Action::More),
    ("min", Action::Min),
    ("max", Action::Max),
    ("save", Action::Save),
    ("copy", Action::Copy),
    ("reveal", Action::Reveal),
    ("issue_again", Action::IssueAgain),
    ("suspend", Action::Suspend),
    ("sort", Action::Sort),
    ("reverse", Action::Reverse),
    ("details", Action::Details),
    ("expiring", Action::Expiring),
    ("toggle_scope", Action::ToggleScope),
    ("create_user", Action::CreateUser),
    ("upload_ca", Action::UploadCa),
    ("messages", Action::Messages),
    ("yes", Action::Yes),
    ("no", Action::No),
    ("switch_field", Action::SwitchField),
    ("copy_serial", Action::CopySerial),
    ("copy_fingerprint", Action::CopyFingerprint),
    ("copy_mongosh", Action::CopyMongosh),
    ("save_bundle", Action::SaveBundle),
];

pub(super) fn action_by_name(name: &str) -> Option<Action> {
    ACTION_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
}

pub(super) fn action_name(a: Action) -> &'static str {
    ACTION_NAMES
        .iter()
        .find(|(_, x)| *x == a)
        .map(|(n, _)| *n)
        .unwrap_or("?")
}

/// "x", "X", "ctrl-x", "shift-tab", "f5", "pgdn", "enter", "?"… A letter or
/// symbol matches with or without Shift, as terminals differ in reporting it.
pub fn parse_key(spec: &str) -> Option<Vec<(KeyCode, KeyModifiers)>> {
    let lower = spec.trim().to_ascii_lowercase();
    let (mods, rest) = match lower
        .split_once(['-', '+'])
        .filter(|(m, r)| !m.is_empty() && !r.is_empty())
    {
        Some(("ctrl" | "c", r)) => (CTRL, r.to_string()),
        Some(("alt" | "a" | "m", r)) => (KeyModifiers::ALT, r.to_string()),
        Some(("shift" | "s", r)) => (SHIFT, r.to_string()),
        _ => (NONE, lower.clone()),
    };
    let named = match rest.as_str() {
        "enter" | "return" => Some(Enter),
        "esc" | "escape" => Some(Esc),
        "tab" if mods == SHIFT => return Some(vec![(BackTab, SHIFT), (BackTab, NONE)]),
        "tab" => Some(Tab),
        "backtab" => return Some(vec![(BackTab, SHIFT), (BackTab, NONE)]),
        "space" => Some(Char(' ')),
        "up" => Some(Up),
        "down" => Some(Down),
        "left" => Some(Left),
        "right" => Some(Right),
        "home" => Some(Home),
        "end" => Some(End),
        "pgup" | "pageup" => Some(PageUp),
        "pgdn" | "pagedown" => Some(PageDown),
        "backspace" => Some(Backspace),
        "delete" | "del" => Some(Delete),
        f if f.len() >= 2
            && f.starts_with('f')
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            Some(F(f[1..].parse().ok()?))
        }
        _ => None,
    };
    if let Some(code) = named {
        return Some(vec![(code, mods)]);
    }
    // A single character: keep the case the user wrote.
    let original = spec.trim();
    let ch = if mods == NONE {
        original
    } else {
        original
            .split_once(['-', '+'])
            .map(|(_, r)| r)
            .unwrap_or(original)
    };
    let mut chars = ch.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return None;
    };
    if mods == CTRL || mods == KeyModifiers::ALT {
        return Some(vec![(Char(c.to_ascii_lowercase()), mods)]);
    }
    if c.is_ascii_lowercase() || c.is_ascii_digit() {
        Some(vec![(Char(c), NONE)])
    } else {
        Some(vec![(Char(c), SHIFT), (Char(c), NONE)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_specs() {
        assert_eq!(parse_key("x"), Some(vec![(Char('x'), NONE)]));
        assert_eq!(
            parse_key("X"),
            Some(vec![(Char('X'), SHIFT), (Char('X'), NONE)])
        );
        assert_eq!(parse_key("ctrl-x"), Some(vec![(Char('x'), CTRL)]));
        assert_eq!(parse_key("Ctrl+R"), Some(vec![(Char('r'), CTRL)]));
        assert_eq!(parse_key("f5"), Some(vec![(F(5), NONE)]));
        assert_eq!(parse_key("pgdn"), Some(vec![(PageDown, NONE)]));
        assert_eq!(
            parse_key("shift-tab"),
            Some(vec![(BackTab, SHIFT), (BackTab, NONE)])
        );
        assert_eq!(
            parse_key("?"),
            Some(vec![(Char('?'), SHIFT), (Char('?'), NONE)])
        );
        assert_eq!(parse_key("xy"), None);
        assert_eq!(parse_key(""), None);
    }
}
