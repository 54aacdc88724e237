//! `:` — jump by name instead of scrolling: `:project orders`, `:user
//! alice`, `:expiring`. Tab completes from what is loaded; a name that
//! matches several or none says so and runs nothing.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::{Action, Scope};
use super::lists::{follow_selection, selected_key};
use super::msg::Command;
use super::state::{CommandLine, HelpView, Modal, Pane, State};

/// (name, what it does). A unique prefix is enough (`:p`, `:u`, `:e`).
pub const COMMANDS: &[(&str, &str)] = &[
    ("project", "open a project by name or id"),
    ("user", "open a user of the open project"),
    ("expiring", "the expiring view"),
    ("issue", "issue a certificate to the selected user"),
    ("messages", "every message, whole"),
    ("help", "the keys"),
    ("quit", "leave"),
];

/// Candidates listed in a note before "…and N more".
const LISTED: usize = 8;

pub(super) fn open(state: &mut State) {
    state.modal = Some(Modal::Command(CommandLine::default()));
}

pub(super) fn on_key(
    state: &mut State,
    mut line: CommandLine,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    match state.env.keymap.action_for(Scope::Input, &key) {
        Some(Action::Quit) => {
            state.quit = true;
            (None, vec![])
        }
        Some(Action::Back) => (None, vec![]),
        Some(Action::SwitchField) => {
            complete(state, &mut line);
            (Some(Modal::Command(line)), vec![])
        }
        Some(Action::Confirm) => match run(state, line.input.value()) {
            Ok(cmds) => (state.modal.take(), cmds),
            Err(why) => {
                line.note = Some(why);
                line.refused = true;
                (Some(Modal::Command(line)), vec![])
            }
        },
        _ => {
            line.input.handle_event(&Event::Key(key));
            line.note = None;
            line.refused = false;
            (Some(Modal::Command(line)), vec![])
        }
    }
}

/// The command a word names: itself, or the one it is a unique prefix of.
fn command_named(word: &str) -> Result<&'static str, String> {
    let word = word.to_ascii_lowercase();
    if let Some((name, _)) = COMMANDS.iter().find(|(n, _)| *n == word) {
        return Ok(name);
    }
    let found: Vec<&str> = COMMANDS
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| n.starts_with(&word))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no command {:?}: try {}",
            crate::format::shown(&word),
            names(COMMANDS.iter().map(|(n, _)| *n))
        )),
        many => Err(format!(
            "{:?} could be {}",
            word,
            names(many.iter().copied())
        )),
    }
}

fn names<'a>(all: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<String> = all.map(crate::format::shown).collect();
    let mut out = all
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > LISTED {
        out.push_str(&format!(" …and {} more", all.len() - LISTED));
    }
    out
}

/// The loaded names an argument of `command` may be, with the key that
/// selects each (a project's id, a user's name).
fn candidates(state: &State, command: &str) -> Vec<(String, String)> {
    match command {
        "project" => state
            .projects
            .items
            .iter()
            .map(|p| (p.name.clone(), p.id.clone()))
            .collect(),
        "user" => state
            .users
            .items
            .iter()
            .map(|u| (u.username().to_string(), u.username().to_string()))
            .collect(),
        _ => vec![],
    }
}

/// Exact name or key first, then names starting with `arg`, then names
/// containing it (all ignoring case).
fn matching(all: &[(String, String)], arg: &str) -> Vec<(String, String)> {
    let lower = arg.to_lowercase();
    let exact: Vec<_> = all
        .iter()
        .filter(|(n, k)| n.to_lowercase() == lower || *k == arg)
        .cloned()
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    let starts: Vec<_> = all
        .iter()
        .filter(|(n, _)| n.to_lowercase().starts_with(&lower))
        .cloned()
        .collect();
    if !starts.is_empty() {
        return starts;
    }
    all.iter()
        .filter(|(n, _)| n.to_lowercase().contains(&lower))
        .cloned()
        .collect()
}

fn split(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.split_once(char::is_whitespace) {
        Some((w, rest)) => (w, rest.trim()),
        None => (text, ""),
    }
}

/// Tab: the command word, then the name, as far as the candidates agree.
fn complete(state: &State, line: &mut CommandLine) {
    let text = line.input.value().to_string();
    let (word, arg) = split(&text);
    let has_space = text.trim_start().contains(char::is_whitespace);
    if !has_space {
        let found: Vec<&str> = COMMANDS
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| n.starts_with(&word.to_ascii_lowercase()))
            .collect();
        match found.as_slice() {
            [one] => line.input = Input::new(format!("{one} ")),
            [] => line.note = Some(format!("no command starts with {word:?}")),
            many => line.note = Some(names(many.iter().copied())),
        }
        return;
    }
    let command = match command_named(word) {
        Ok(c) => c,
        Err(e) => {
            line.note = Some(e);
            return;
        }
    };
    let all = candidates(state, command);
    if all.is_empty() {
        line.note = Some(match command {
            "project" | "user" => format!("no {command}s are loaded yet"),
            _ => format!(":{command} takes no name"),
        });
        return;
    }
    let found = matching(&all, arg);
    match found.as_slice() {
        [] => line.note = Some(format!("no loaded {command} matches {arg:?}")),
        [(name, _)] => {
            line.input = Input::new(format!("{command} {name}"));
            line.note = None;
        }
        many => {
            let prefix = common_prefix(many.iter().map(|(n, _)| n.as_str()));
            if prefix.chars().count() > arg.chars().count()
                && prefix.to_lowercase().starts_with(&arg.to_lowercase())
            {
                line.input = Input::new(format!("{command} {prefix}"));
            }
            line.note = Some(format!(
                "{} match: {}",
                many.len(),
                names(many.iter().map(|(n, _)| n.as_str()))
            ));
        }
    }
    line.refused = false;
}

fn common_prefix<'a>(mut all: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = all.next() else {
        return String::new();
    };
    let mut len = first.len();
    for s in all {
        len = first
            .char_indices()
            .zip(s.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(len);
    }
    first[..len].to_string()
}

/// Enter: runs the line, or says why not (the line stays for fixing).
fn run(state: &mut State, text: &str) -> Result<Vec<Command>, String> {
    let (word, arg) = split(text);
    if word.is_empty() {
        return Ok(vec![]);
    }
    let command = command_named(word)?;
    match command {
        "project" | "user" => {
            if arg.is_empty() {
                return Err(format!(":{command} needs a name (Tab lists them)"));
            }
            let found = matching(&candidates(state, command), arg);
            let key = match found.as_slice() {
                [(_, key)] => key.clone(),
                [] if command == "project" => {
                    return Err(format!(
                        "no loaded project matches {:?} ({} loaded{})",
                        crate::format::shown(arg),
                        state.projects.items.len(),
                        if state.projects.more {
                            "; more load as the list scrolls"
                        } else {
                            ""
                        }
                    ));
                }
                [] => {
                    return Err(format!(
                        "no user of this project matches {:?}",
                        crate::format::shown(arg)
                    ));
                }
                many => {
                    return Err(format!(
                        "{} {command}s match {:?}: {}",
                        many.len(),
                        crate::format::shown(arg),
                        names(many.iter().map(|(n, _)| n.as_str()))
                    ));
                }
            };
            let pane = if command == "project" {
                Pane::Projects
            } else {
                Pane::Users
            };
            Ok(jump(state, pane, &key))
        }
        "expiring" => Ok(super::expiring::open(state)),
        "issue" => {
            state.focus = Pane::Users;
            Ok(super::issue::open(state))
        }
        "messages" => {
            state.modal = Some(Modal::Messages(Default::default()));
            Ok(vec![])
        }
        "help" => {
            state.modal = Some(Modal::Help(HelpView::default()));
            Ok(vec![])
        }
        _ => {
            state.quit = true;
            Ok(vec![])
        }
    }
}

/// Selects `key` in `pane` (its filter cleared so the row is shown) and
/// drills into the next pane.
fn jump(state: &mut State, pane: Pane, key: &str) -> Vec<Command> {
    let before = selected_key(state, pane);
    match pane {
        Pane::Projects => {
            state.projects.filter.reset();
            state.projects.select_key(key);
        }
        _ => {
            state.users.filter.reset();
            state.users.select_key(key);
        }
    }
    let cmds = follow_selection(state, pane, before);
    if let Some(next) = pane.next() {
        state.focus = next;
    }
    cmds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_name_one_command_or_say_which() {
        assert_eq!(command_named("p"), Ok("project"));
        assert_eq!(command_named("EXP"), Ok("expiring"));
        assert!(command_named("i").is_ok());
        assert!(command_named("zz").unwrap_err().contains("try project"));
    }

    #[test]
    fn the_common_prefix_stops_between_characters() {
        assert_eq!(
            common_prefix(["orders-staging", "orders-prod"].into_iter()),
            "orders-"
        );
        assert_eq!(common_prefix(["é1", "é2"].into_iter()), "é");
        assert_eq!(common_prefix(["a", "b"].into_iter()), "");
    }
}
