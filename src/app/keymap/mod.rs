//! Keys as data: one table drives dispatch, the footer hints and the help
//! screen, so they can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod defaults;
mod keyspec;

pub use defaults::{DEFAULTS, DefaultBinding};
pub use keyspec::{ACTION_NAMES, parse_key};
use keyspec::{action_by_name, action_name};

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
    /// Certificates: the next / previous / first / last page as Atlas
    /// pages them (PgDn and PgUp move by a screen, as in every pane).
    NextPage,
    PrevPage,
    FirstPage,
    LastPage,
    /// Projects and users: into the next pane (Esc comes back).
    Open,
    /// `:` — the command line (`:project orders`, `:user alice`).
    Command,
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
    /// Issue again after an answer was lost (a certificate may exist).
    IssueAgain,
    /// Ctrl-Z: stop until the shell's `fg`.
    Suspend,
    /// Certificates: cycle the sort column.
    Sort,
    /// Certificates: reverse the order.
    Reverse,
    /// Certificates: everything about the selected one.
    Details,
    /// The expiring view: every MANAGED user's newest certificate.
    Expiring,
    /// Expiring view: all projects / this project only.
    ToggleScope,
    /// Users pane: create an X.509 MANAGED user.
    CreateUser,
    /// Projects pane: upload a customer CA (customer-managed X.509 on).
    UploadCa,
    /// Every message, whole, newest first.
    Messages,
    /// A question's yes (overwrite? discard? did the paste work?).
    Yes,
    /// A question's no: the default, which lets nothing go.
    No,
    /// While typing: the next field (the save prompt: the file format).
    SwitchField,
    /// Details and the PEM dialog: copy what people paste elsewhere.
    CopySerial,
    CopyFingerprint,
    CopyMongosh,
    /// Disable dialog: keep the CA bundle in a file before it is cleared.
    SaveBundle,
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
    /// A certificate's details.
    Details,
    Expiring,
    /// A yes/no question inside a dialog.
    Prompt,
    /// Typing into a field: a filter, a path, a name.
    Input,
}

impl Scope {
    /// Where a key can actually be pressed (Global and Panes are only layers).
    pub const CONCRETE: [Scope; 11] = [
        Scope::Details,
        Scope::Projects,
        Scope::Users,
        Scope::Certs,
        Scope::Issue,
        Scope::Pem,
        Scope::Disable,
        Scope::Help,
        Scope::Expiring,
        Scope::Prompt,
        Scope::Input,
    ];
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

fn scopes_for(scope: Scope) -> &'static [Scope] {
    match scope {
        Scope::Projects => &[Scope::Projects, Scope::Panes, Scope::Global],
        Scope::Users => &[Scope::Users, Scope::Panes, Scope::Global],
        Scope::Certs => &[Scope::Certs, Scope::Panes, Scope::Global],
        Scope::Issue => &[Scope::Issue, Scope::Global],
        Scope::Pem => &[Scope::Pem, Scope::Global],
        Scope::Disable => &[Scope::Disable, Scope::Global],
        Scope::Help => &[Scope::Help, Scope::Global],
        Scope::Details => &[Scope::Details, Scope::Global],
        Scope::Expiring => &[Scope::Expiring, Scope::Global],
        Scope::Prompt => &[Scope::Prompt, Scope::Global],
        Scope::Input => &[Scope::Input, Scope::Global],
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

    /// The label of the key that does `action` where `scope` is in force,
    /// so that a hint written in a dialog names the key really bound.
    pub fn label_for(&self, scope: Scope, action: Action) -> String {
        scopes_for(scope)
            .iter()
            .find_map(|s| {
                self.bindings
                    .iter()
                    .find(|b| b.scope == *s && b.action == action && !b.keys.is_empty())
            })
            .map(|b| b.label.clone())
            .unwrap_or_else(|| "(unbound)".into())
    }

    /// (keys, what they do) for the footer, most specific first. Pairs
    /// share one hint ("j/k move"), named by the first key of each half.
    pub fn hints(&self, scope: Scope) -> Vec<(String, &'static str, Action)> {
        const PAIRS: [(Action, Action, &str); 4] = [
            (Action::Down, Action::Up, "move"),
            (Action::Less, Action::More, "months"),
            (Action::MorePerPage, Action::FewerPerPage, "per page"),
            (Action::Min, Action::Max, "1 / 24 months"),
        ];
        let first_key = |action| {
            let label = self.label_for(scope, action);
            label.split('/').next().unwrap_or_default().to_string()
        };
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for s in scopes_for(scope) {
            for b in self.bindings.iter().filter(|b| b.scope == *s) {
                // The deliberate re-issue is offered by its own dialog line.
                let hidden = b.action == Action::IssueAgain || b.action == Action::Suspend;
                if seen.contains(&b.action) || hidden || b.keys.is_empty() {
                    continue;
                }
                seen.push(b.action);
                match PAIRS.iter().find(|p| p.0 == b.action || p.1 == b.action) {
                    Some((a, z, desc)) if seen.contains(a) && seen.contains(z) => {}
                    Some((a, z, desc)) => {
                        seen.extend([*a, *z]);
                        out.push((format!("{}/{}", first_key(*a), first_key(*z)), *desc, *a));
                    }
                    None => out.push((b.label.clone(), b.desc, b.action)),
                }
            }
        }
        out
    }

    /// Keys that reach two different actions where one shadows the other.
    fn clashes(&self) -> Vec<(Scope, (KeyCode, KeyModifiers), Action, Action)> {
        let mut out = Vec::new();
        for scope in Scope::CONCRETE {
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

#[cfg(test)]
mod tests {
    use super::defaults::{CTRL, NONE, SHIFT};
    use super::*;
    use KeyCode::*;

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
            Some(Action::PageDown),
            "PgDn means the same in every pane"
        );
        assert_eq!(
            action_for(Scope::Certs, &key(Char('n'))),
            Some(Action::NextPage)
        );
        assert_eq!(action_for(Scope::Users, &key(Enter)), Some(Action::Open));
        assert_eq!(action_for(Scope::Certs, &key(Enter)), Some(Action::Details));
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
        assert_eq!(Keymap::default().clashes(), []);
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
                .any(|(k, d, _)| *k == "I" && *d == "issue cert")
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
    fn every_hint_is_bound() {
        for scope in Scope::CONCRETE {
            for (label, desc, _) in Keymap::default().hints(scope) {
                assert!(!label.is_empty() && !desc.is_empty());
            }
        }
    }
}
