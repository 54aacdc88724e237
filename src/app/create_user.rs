//! The create-user dialog (`a` in the users pane): an X.509 MANAGED user on
//! `$external` with its roles, then the offer to issue its first
//! certificate. Creation is sent once and never retried.

use crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::keymap::{Action, Scope};
use super::msg::{Command, ErrorText, RequestId};
use super::state::{CreateStage, CreateUserModal, Field, IssueModal, Level, Modal, State};
use atlas_client::{DatabaseUser, NewX509User, X509Type, roles};

pub fn open(state: &mut State) {
    let Some(project) = state.selected_project().cloned() else {
        state.set_status(Level::Warn, "Select a project first");
        return;
    };
    state.modal = Some(Modal::CreateUser(Box::new(CreateUserModal {
        group_id: project.id,
        project: project.name,
        username: Input::default(),
        roles: Input::new("readWrite@".into()),
        field: Field::Username,
        stage: CreateStage::Form,
        error: None,
    })));
}

/// What the form would send, or what is wrong with it.
pub fn validate(m: &CreateUserModal) -> Result<NewX509User, String> {
    let username = m.username.value().trim();
    if username.is_empty() {
        return Err("Type a username: a plain name or CN=name".into());
    }
    if username.chars().any(char::is_control) {
        return Err("A username cannot hold control characters".into());
    }
    atlas_client::usernames::check_managed(username).map_err(|why| {
        let mut why = why;
        if let Some(first) = why.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        why
    })?;
    let specs: Vec<&str> = m
        .roles
        .value()
        .split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .collect();
    if specs.is_empty() {
        return Err("Give at least one role, e.g. readWrite@app".into());
    }
    let roles = specs
        .iter()
        .map(|s| roles::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewX509User {
        username: username.to_string(),
        x509_type: X509Type::Managed,
        roles,
    })
}

pub fn on_key(
    state: &mut State,
    mut m: Box<CreateUserModal>,
    key: KeyEvent,
) -> (Option<Modal>, Vec<Command>) {
    let act = state.env.keymap.action_for(Scope::Input, &key);
    if act == Some(Action::Quit) {
        state.quit = true;
        return (None, vec![]);
    }
    match &m.stage {
        CreateStage::Running(_) => {}
        CreateStage::Created { username } => {
            let answer = state.env.keymap.action_for(Scope::Prompt, &key);
            let yes = key.code == KeyCode::Enter || answer == Some(Action::Yes);
            return match (yes, answer) {
                (true, _) => {
                    let modal = Modal::Issue(IssueModal::new(
                        m.group_id.clone(),
                        m.project.clone(),
                        username.clone(),
                        state.env.default_months,
                    ));
                    (Some(modal), vec![])
                }
                (false, Some(Action::No)) => (None, vec![]),
                _ => (Some(Modal::CreateUser(m)), vec![]),
            };
        }
        CreateStage::Form => match (act, key.code) {
            (Some(Action::Back), _) => return (None, vec![]),
            (Some(Action::SwitchField), _) | (_, KeyCode::Up | KeyCode::Down) => {
                m.field = match m.field {
                    Field::Username => Field::Roles,
                    Field::Roles => Field::Username,
                };
            }
            (Some(Action::Confirm), _) if m.field == Field::Username => m.field = Field::Roles,
            (Some(Action::Confirm), _) => match validate(&m) {
                Ok(user) => {
                    let id = state.next_request();
                    m.stage = CreateStage::Running(id);
                    m.error = None;
                    let cmd = Command::CreateUser {
                        id,
                        group_id: m.group_id.clone(),
                        user,
                    };
                    return (Some(Modal::CreateUser(m)), vec![cmd]);
                }
                Err(why) => m.error = Some(why),
            },
            _ => {
                let input = match m.field {
                    Field::Username => &mut m.username,
                    Field::Roles => &mut m.roles,
                };
                input.handle_event(&Event::Key(key));
                m.error = None;
            }
        },
    }
    (Some(Modal::CreateUser(m)), vec![])
}

/// Atlas's answer. Either way the users list is read again: a lost answer
/// may hide a user that was created.
pub fn on_created(
    state: &mut State,
    id: RequestId,
    res: Result<Box<DatabaseUser>, ErrorText>,
) -> Vec<Command> {
    let Some(Modal::CreateUser(m)) = &mut state.modal else {
        return vec![];
    };
    if m.stage != CreateStage::Running(id) {
        return vec![];
    }
    let created = res.as_ref().ok().map(|u| u.username.clone());
    match res {
        Ok(u) => {
            state.set_status(
                Level::Info,
                format!(
                    "Created MANAGED user {} on $external",
                    crate::format::shown(&u.username)
                ),
            );
            if let Some(Modal::CreateUser(m)) = &mut state.modal {
                m.stage = CreateStage::Created {
                    username: u.username,
                };
            }
        }
        Err(e) => {
            m.stage = CreateStage::Form;
            m.error = Some(e);
        }
    }
    let cmds = super::lists::refresh_users(state);
    // The new user, not the one selected before, once the list is read.
    if let Some(name) = created {
        state.users.reselect = Some(name);
    }
    cmds
}
