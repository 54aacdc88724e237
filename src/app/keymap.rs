//! Keys as data: one table drives dispatch, the footer hints and the help
//! screen, so they can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextPage,
    PrevPage,
    MorePerPage,
    FewerPerPage,
    Filter,
    Refresh,
    Issue,
    DisableCustomerX509,
    Help,
    Back,
    Confirm,
    Less,
    More,
    Min,
    Max,
    Save,
    Copy,
    Reveal,
}

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Panes,
    Projects,
    Users,
    Certs,
    Issue,
    Pem,
    Disable,
    Help,
}

/// A default binding, as compiled in.
pub struct DefaultBinding {
    pub scope: Scope,
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub action: Action,
    pub desc: &'static str,
}

/// A binding in force: a default, or one the user's config remapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub scope: Scope,
    pub keys: Vec<(KeyCode, KeyModifiers)>,
    pub label: String,
    pub action: Action,
    pub desc: &'static str,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

macro_rules! b {
    ($scope:ident, $label:literal, $action:ident, $desc:literal, [$(($code:expr, $m:expr)),+]) => {
        DefaultBinding { scope: Scope::$scope, keys: &[$(($code, $m)),+], label: $label, action: Action::$action, desc: $desc }
    };
}

use KeyCode::*;

pub static DEFAULTS: &[DefaultBinding] = &[
    b!(Global, "^C", Quit, "quit", [(Char('c'), CTRL)]),
    // Pane-specific keys come first: they win over the generic ones.
    b!(Projects, "/", Filter, "filter", [(Char('/'), NONE)]),
    b!(
        Projects,
        "X",
        DisableCustomerX509,
        "disable customer X.509",
        [(Char('X'), SHIFT), (Char('X'), NONE)]
    ),
    b!(Users, "/", Filter, "filter", [(Char('/'), NONE)]),
    b!(
        Users,
        "i",
        Issue,
        "issue cert",
        [(Char('i'), NONE), (Char('c'), NONE)]
    ),
    b!(
        Certs,
        "i",
        Issue,
        "issue cert",
        [(Char('i'), NONE), (Char('c'), NONE)]
    ),
    b!(
        Certs,
        "n/PgDn",
        NextPage,
        "next page",
        [(Char('n'), NONE), (PageDown, NONE)]
    ),
    b!(
        Certs,
        "p/PgUp",
        PrevPage,
        "prev page",
        [(Char('p'), NONE), (PageUp, NONE)]
    ),
    b!(
        Certs,
        "+/-",
        MorePerPage,
        "per page",
        [(Char('+'), NONE), (Char('+'), SHIFT)]
    ),
    b!(
        Certs,
        "-",
        FewerPerPage,
        "fewer per page",
        [(Char('-'), NONE)]
    ),
    b!(
        Panes,
        "Tab",
        FocusNext,
        "next pane",
        [(Tab, NONE), (Char('l'), NONE), (Right, NONE)]
    ),
    b!(
        Panes,
        "S-Tab",
        FocusPrev,
        "prev pane",
        [
            (BackTab, SHIFT),
            (BackTab, NONE),
            (Char('h'), NONE),
            (Left, NONE)
        ]
    ),
    b!(
        Panes,
        "j/k",
        Down,
        "move",
        [(Char('j'), NONE), (Down, NONE)]
    ),
    b!(Panes, "k", Up, "up", [(Char('k'), NONE), (Up, NONE)]),
    b!(Panes, "g", Top, "top", [(Char('g'), NONE), (Home, NONE)]),
    b!(
        Panes,
        "G",
        Bottom,
        "bottom",
        [(Char('G'), SHIFT), (Char('G'), NONE), (End, NONE)]
    ),
    b!(Panes, "PgDn", PageDown, "page down", [(PageDown, NONE)]),
    b!(Panes, "PgUp", PageUp, "page up", [(PageUp, NONE)]),
    b!(Panes, "r", Refresh, "refresh", [(Char('r'), NONE)]),
    b!(
        Panes,
        "?",
        Help,
        "help",
        [(Char('?'), NONE), (Char('?'), SHIFT)]
    ),
    b!(Panes, "Esc", Back, "clear", [(Esc, NONE)]),
    b!(Panes, "q", Quit, "quit", [(Char('q'), NONE)]),
    b!(
        Issue,
        "←/→",
        Less,
        "months",
        [(Left, NONE), (Char('h'), NONE), (Char('-'), NONE)]
    ),
    b!(
        Issue,
        "→",
        More,
        "more months",
        [
            (Right, NONE),
            (Char('l'), NONE),
            (Char('+'), NONE),
            (Char('+'), SHIFT)
        ]
    ),
    b!(Issue, "Home/End", Min, "1 month", [(Home, NONE)]),
    b!(Issue, "End", Max, "24 months", [(End, NONE)]),
    b!(Issue, "Enter", Confirm, "issue", [(Enter, NONE)]),
    b!(Issue, "Esc", Back, "cancel", [(Esc, NONE)]),
    b!(Pem, "s", Save, "save", [(Char('s'), NONE)]),
    b!(
        Pem,
        "y/c",
        Copy,
        "copy",
        [(Char('y'), NONE), (Char('c'), NONE)]
    ),
    b!(Pem, "v", Reveal, "show/hide key", [(Char('v'), NONE)]),
    b!(
        Pem,
        "j/k",
        Down,
        "scroll",
        [(Char('j'), NONE), (Down, NONE)]
    ),
    b!(Pem, "k", Up, "scroll up", [(Char('k'), NONE), (Up, NONE)]),
    b!(Pem, "Esc", Back, "close", [(Esc, NONE), (Char('q'), NONE)]),
    b!(Disable, "Enter", Confirm, "confirm", [(Enter, NONE)]),
    b!(Disable, "Esc", Back, "cancel", [(Esc, NONE)]),
    b!(
        Help,
        "Esc",
        Back,
        "close",
        [
            (Esc, NONE),
            (Char('?'), NONE),
            (Char('?'), SHIFT),
            (Char('q'), NONE)
        ]
    ),
];

fn scopes_for(scope: Scope) -> &'static [Scope] {
    match scope {
        Scope::Projects => &[Scope::Projects, Scope::Panes, Scope::Global],
        Scope::Users => &[Scope::Users, Scope::Panes, Scope::Global],
        Scope::Certs => &[Scope::Certs, Scope::Panes, Scope::Global],
        Scope::Issue => &[Scope::Issue, Scope::Global],
        Scope::Pem => &[Scope::Pem, Scope::Global],
        Scope::Disable => &[Scope::Disable, Scope::Global],
        Scope::Help => &[Scope::Help, Scope::Global],
        Scope::Panes => &[Scope::Panes, Scope::Global],
        Scope::Global => &[Scope::Global],
    }
}

/// The bindings in force: one table for dispatch, footer and help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: DEFAULTS
                .iter()
                .map(|d| Binding {
                    scope: d.scope,
                    keys: d.keys.to_vec(),
                    label: d.label.to_string(),
                    action: d.action,
                    desc: d.desc,
                })
                .collect(),
        }
    }
}

impl Keymap {
    pub fn action_for(&self, scope: Scope, key: &KeyEvent) -> Option<Action> {
        for s in scopes_for(scope) {
            for b in self.bindings.iter().filter(|b| b.scope == *s) {
                if b.keys
                    .iter()
                    .any(|(c, m)| *c == key.code && *m == key.modifiers)
                {
                    return Some(b.action);
                }
            }
        }
        None
    }

    /// (keys, what they do) for the footer, most specific first.
    pub fn hints(&self, scope: Scope) -> Vec<(&str, &'static str)> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for s in scopes_for(scope) {
            for b in self.bindings.iter().filter(|b| b.scope == *s) {
                // The second half of a "j/k" pair stays out of the footer.
                let secondary = matches!(
                    b.action,
                    Action::Up | Action::Max | Action::More | Action::FewerPerPage
                );
                if !seen.contains(&b.action) && !secondary {
                    seen.push(b.action);
                    out.push((b.label.as_str(), b.desc));
                }
            }
        }
        out
    }

    /// Keys that reach two different actions where one shadows the other.
    fn clashes(&self) -> Vec<(Scope, (KeyCode, KeyModifiers), Action, Action)> {
        let mut out = Vec::new();
        for scope in [
            Scope::Projects,
            Scope::Users,
            Scope::Certs,
            Scope::Issue,
            Scope::Pem,
            Scope::Disable,
            Scope::Help,
        ] {
            let mut first: Vec<((KeyCode, KeyModifiers), Action)> = Vec::new();
            for s in scopes_for(scope) {
                for b in self.bindings.iter().filter(|b| b.scope == *s) {
                    for k in &b.keys {
                        match first.iter().find(|(fk, _)| fk == k) {
                            Some((_, a)) if *a != b.action => out.push((scope, *k, *a, b.action)),
                            Some(_) => {}
                            None => first.push((*k, b.action)),
                        }
                    }
                }
            }
        }
        out
    }

    /// Applies `[keys]` overrides (action name → key specs). An override that
    /// is malformed, or makes a key ambiguous that was not, is left out and
    /// reported.
    pub fn with_overrides(
        overrides: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut problems = Vec::new();
        let baseline = map.clashes();
        for (name, specs) in overrides {
            let Some(action) = action_by_name(name) else {
                problems.push(format!(
                    "keys.{name}: no such action (known: {})",
                    ACTION_NAMES
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                continue;
            };
            let mut keys = Vec::new();
            let mut ok = true;
            for spec in specs {
                match parse_key(spec) {
                    Some(k) => keys.extend(k),
                    None => {
                        problems.push(format!("keys.{name}: {spec:?} is not a key (try \"x\", \"X\", \"ctrl-x\", \"f5\", \"pgdn\")"));
                        ok = false;
                    }
                }
            }
            if !ok {
                continue;
            }
            let mut next = map.clone();
            // Ctrl-C stays: a way out that no config can take away.
            for b in next
                .bindings
                .iter_mut()
                .filter(|b| b.action == action && b.scope != Scope::Global)
            {
                b.keys = keys.clone();
                b.label = specs.join("/");
            }
            let new: Vec<_> = next
                .clashes()
                .into_iter()
                .filter(|c| !baseline.contains(c))
                .collect();
            match new.first() {
                Some((scope, _, a, b)) => problems.push(format!(
                    "keys.{name} = {specs:?} clashes with {} in the {scope:?} keys; kept the default",
                    action_name(if *a == action { *b } else { *a })
                )),
                None => map = next,
            }
        }
        (map, problems)
    }
}

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
];

fn action_by_name(name: &str) -> Option<Action> {
    ACTION_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
}

fn action_name(a: Action) -> &'static str {
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

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, NONE)
    }

    fn action_for(scope: Scope, key: &KeyEvent) -> Option<Action> {
        Keymap::default().action_for(scope, key)
    }

    #[test]
    fn pane_keys_win_over_generic_ones() {
        assert_eq!(
            action_for(Scope::Certs, &key(PageDown)),
            Some(Action::NextPage)
        );
        assert_eq!(
            action_for(Scope::Users, &key(PageDown)),
            Some(Action::PageDown)
        );
        assert_eq!(action_for(Scope::Issue, &key(Left)), Some(Action::Less));
        assert_eq!(
            action_for(Scope::Users, &key(Left)),
            Some(Action::FocusPrev)
        );
        assert_eq!(
            action_for(Scope::Pem, &KeyEvent::new(Char('c'), CTRL)),
            Some(Action::Quit)
        );
        assert_eq!(action_for(Scope::Projects, &key(Char('i'))), None);
    }

    #[test]
    fn the_defaults_shadow_only_on_purpose() {
        // In the certificates pane PgDn/PgUp flip server pages instead of moving.
        let clashes: Vec<_> = Keymap::default()
            .clashes()
            .into_iter()
            .map(|(s, k, a, b)| (s, k.0, a, b))
            .collect();
        assert_eq!(
            clashes,
            [
                (Scope::Certs, PageDown, Action::NextPage, Action::PageDown),
                (Scope::Certs, PageUp, Action::PrevPage, Action::PageUp)
            ]
        );
    }

    #[test]
    fn overrides_remap_and_clashes_are_refused() {
        let mut o = std::collections::BTreeMap::new();
        o.insert("issue".to_string(), vec!["I".to_string()]);
        o.insert(
            "quit".to_string(),
            vec!["ctrl-q".to_string(), "q".to_string()],
        );
        let (m, problems) = Keymap::with_overrides(&o);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            m.action_for(Scope::Users, &KeyEvent::new(Char('I'), SHIFT)),
            Some(Action::Issue)
        );
        assert_eq!(
            m.action_for(Scope::Users, &key(Char('i'))),
            None,
            "the old key is free"
        );
        assert_eq!(
            m.action_for(Scope::Certs, &KeyEvent::new(Char('q'), CTRL)),
            Some(Action::Quit)
        );
        assert!(
            m.hints(Scope::Users)
                .iter()
                .any(|(k, d)| *k == "I" && *d == "issue cert")
        );

        let mut o = std::collections::BTreeMap::new();
        o.insert("refresh".to_string(), vec!["j".to_string()]);
        o.insert("teleport".to_string(), vec!["t".to_string()]);
        o.insert("help".to_string(), vec!["ctrl-".to_string()]);
        let (m, problems) = Keymap::with_overrides(&o);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains("keys.refresh") && p.contains("clashes with down"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("keys.teleport: no such action"))
        );
        assert_eq!(
            m.action_for(Scope::Projects, &key(Char('r'))),
            Some(Action::Refresh),
            "kept the default"
        );
    }

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

    #[test]
    fn every_hint_is_bound() {
        for scope in [
            Scope::Projects,
            Scope::Users,
            Scope::Certs,
            Scope::Issue,
            Scope::Pem,
            Scope::Disable,
            Scope::Help,
        ] {
            for (label, desc) in Keymap::default().hints(scope) {
                assert!(!label.is_empty() && !desc.is_empty());
            }
        }
    }
}
