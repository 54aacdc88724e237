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

pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub action: Action,
    pub desc: &'static str,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

macro_rules! b {
    ($scope:ident, $label:literal, $action:ident, $desc:literal, [$(($code:expr, $m:expr)),+]) => {
        Binding { scope: Scope::$scope, keys: &[$(($code, $m)),+], label: $label, action: Action::$action, desc: $desc }
    };
}

use KeyCode::*;

pub static BINDINGS: &[Binding] = &[
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

pub fn action_for(scope: Scope, key: &KeyEvent) -> Option<Action> {
    for s in scopes_for(scope) {
        for b in BINDINGS.iter().filter(|b| b.scope == *s) {
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
pub fn hints(scope: Scope) -> Vec<(&'static str, &'static str)> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for s in scopes_for(scope) {
        for b in BINDINGS.iter().filter(|b| b.scope == *s) {
            // Secondary entries (the second half of a "j/k" pair) stay out of the footer.
            let secondary = matches!(
                b.action,
                Action::Up | Action::Max | Action::More | Action::FewerPerPage
            );
            if !seen.contains(&b.action) && !secondary {
                seen.push(b.action);
                out.push((b.label, b.desc));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, NONE)
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
            for (label, desc) in hints(scope) {
                assert!(!label.is_empty() && !desc.is_empty());
            }
        }
    }
}
