//! Everything the screen shows, and nothing it does: the panes' and each
//! dialog's state, one file each. Behaviour lives above, in `app/`; these
//! types import none of it.

pub mod certs;
pub mod command;
pub mod create_user;
pub mod disable;
pub mod expiring;
pub mod help;
pub mod issue;
pub mod list;
pub mod messages;
pub mod pem;
pub mod place;
pub mod upload_ca;
pub mod users;

use jiff::Timestamp;

pub use super::msg::{CaBundle, CertInfo, Held, RequestId};
use atlas_client::{Project, X509Type};
pub use certs::{CertSort, CertsPane, Whole};
pub use command::CommandLine;
pub use create_user::{CreateStage, CreateUserModal, Field};
pub use disable::{DisableModal, DisableStage};
pub use expiring::ExpiringView;
pub use help::{CertDetail, HelpView};
pub use issue::IssueModal;
pub use list::{Filterable, ListPane};
pub use messages::{MessageLog, MessagesView};
pub use pem::{PemModal, PemPrompt};
pub use place::Place;
pub use upload_ca::{UploadModal, UploadStage};
pub use users::UserItem;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Projects,
    Users,
    Certs,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Projects, Pane::Users, Pane::Certs];

    /// The keymap section its keys are read from.
    pub fn scope(self) -> super::keymap::Scope {
        use super::keymap::Scope;
        match self {
            Pane::Projects => Scope::Projects,
            Pane::Users => Scope::Users,
            Pane::Certs => Scope::Certs,
        }
    }

    /// The pane Enter drills into.
    pub fn next(self) -> Option<Pane> {
        match self {
            Pane::Projects => Some(Pane::Users),
            Pane::Users => Some(Pane::Certs),
            Pane::Certs => None,
        }
    }

    /// The pane Esc goes back to.
    pub fn prev(self) -> Option<Pane> {
        match self {
            Pane::Projects => None,
            Pane::Users => Some(Pane::Projects),
            Pane::Certs => Some(Pane::Users),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Projects => "Projects",
            Pane::Users => "Database users",
            Pane::Certs => "Certificates",
        }
    }
}

/// What every pane has, whichever one it is: a filter and a selection
/// among the rows it shows.
pub trait PaneList {
    fn filter_editing(&self) -> bool;
    fn set_filter_editing(&mut self, on: bool);
    fn filter(&self) -> &tui_input::Input;
    fn selected(&self) -> usize;
    /// Rows shown (the filter applied).
    fn shown(&self) -> usize;
}

impl<T: Filterable> PaneList for ListPane<T> {
    fn filter_editing(&self) -> bool {
        self.filter_editing
    }
    fn set_filter_editing(&mut self, on: bool) {
        self.filter_editing = on;
    }
    fn filter(&self) -> &tui_input::Input {
        &self.filter
    }
    fn selected(&self) -> usize {
        self.selected
    }
    fn shown(&self) -> usize {
        self.visible().len()
    }
}

impl PaneList for CertsPane {
    fn filter_editing(&self) -> bool {
        self.filter_editing
    }
    fn set_filter_editing(&mut self, on: bool) {
        self.filter_editing = on;
    }
    fn filter(&self) -> &tui_input::Input {
        &self.filter
    }
    fn selected(&self) -> usize {
        self.selected
    }
    fn shown(&self) -> usize {
        self.rows().len()
    }
}

/// Where the app points, for the header. Never a secret.
#[derive(Debug, Clone)]
pub struct Env {
    /// "DEMO" or the Atlas host.
    pub target: String,
    /// "API key abcdefgh" / "service account mdb_sa_id_…".
    pub credentials: String,
    pub items_per_page: u32,
    pub default_months: u8,
    /// Pages in flight at once when a whole list is read (`--concurrency`).
    pub concurrency: usize,
    /// When a certificate is due for renewal: the rule `expiring` and
    /// `rotate` apply (`--renew-before`, else within 30 days).
    pub renewal: crate::rotation::Renewal,
    /// Where to open: the project asked for (flag, environment, profile)
    /// or the place the last run was left in.
    pub start: Option<Place>,
    /// Where the save dialog proposes to write.
    pub save_dir: Option<String>,
    /// Configuration problems, shown once at start.
    pub notes: Vec<String>,
    /// The key bindings in force (defaults plus the config's `[keys]`).
    pub keymap: std::sync::Arc<super::keymap::Keymap>,
    /// Debug builds (`ATLAS_X509_TEST_PANIC_IN_DIALOG`): this key panics
    /// inside the PEM dialog's handler, so tests can prove the key survives.
    pub test_panic_key: Option<char>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone)]
pub struct Status {
    pub text: String,
    pub level: Level,
    pub until_ms: u64,
}

/// Which column orders the certificate table.
#[derive(Debug)]
pub enum Modal {
    Issue(IssueModal),
    Pem(Box<PemModal>),
    Disable(DisableModal),
    Help(HelpView),
    CertDetail(Box<CertDetail>),
    CreateUser(Box<CreateUserModal>),
    Upload(Box<UploadModal>),
    Messages(MessagesView),
    Command(CommandLine),
}

fn said<'a>(
    dialog: &'static str,
    level: Level,
    e: &'a Option<String>,
) -> Option<(&'static str, Level, &'a str)> {
    e.as_deref().map(|e| (dialog, level, e))
}

impl Modal {
    /// What a dialog says went wrong (an error) or was refused (a warning),
    /// with the dialog's name: it also goes to the message list, whole,
    /// where it outlives the dialog and is not cut by its border.
    pub fn failure(&self) -> Option<(&'static str, Level, &str)> {
        match self {
            Modal::Issue(m) => said("Issue", Level::Error, &m.error)
                .or_else(|| said("Issue", Level::Warn, &m.note)),
            Modal::Pem(m) => said("PEM", Level::Error, &m.error),
            Modal::Disable(m) => match &m.stage {
                DisableStage::Failed(e) => Some(("Disable customer X.509", Level::Error, e)),
                _ => said("Disable customer X.509", Level::Warn, &m.note),
            },
            Modal::CreateUser(m) => said("Add user", Level::Error, &m.error),
            Modal::Upload(m) => said("Upload CA", Level::Warn, &m.note),
            Modal::Command(l) if l.refused => said("Command", Level::Warn, &l.note),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct State {
    pub env: Env,
    pub focus: Pane,
    pub projects: ListPane<Project>,
    pub users: ListPane<UserItem>,
    /// The project whose users are shown (or being loaded).
    pub users_owner: Option<String>,
    pub certs: CertsPane,
    pub modal: Option<Modal>,
    pub status: Option<Status>,
    /// Every status message, whole, for the message list.
    pub messages: MessageLog,
    pub now: Timestamp,
    pub mono_ms: u64,
    pub quit: bool,
    /// (user, file) of copied keys whose kept copy the user chose to keep
    /// ("did the paste work?" — no): said again at exit.
    pub kept_keys: Vec<(String, std::path::PathBuf)>,
    /// Why the app must end abnormally, if it must.
    pub fatal: Option<String>,
    /// Ctrl-Z was pressed: the event loop hands the terminal back and stops.
    pub suspend: bool,
    /// Terminal size, to map mouse positions through the same layout as drawing.
    pub size: (u16, u16),
    pub next_id: RequestId,
    /// Debounced loads: when to send them (mono ms).
    pub users_due: Option<u64>,
    pub certs_due: Option<u64>,
    /// The expiring view, kept when closed so reopening shows the last scan.
    pub expiring: Option<ExpiringView>,
    /// The starting place still being looked for, page by page; the
    /// user's first move ends the search.
    pub seeking: Option<Place>,
    /// A serial, fingerprint or command being copied: (request, what).
    pub copying: Option<(RequestId, &'static str)>,
}

impl State {
    /// The list of a pane, for what every pane has.
    pub fn pane(&self, p: Pane) -> &dyn PaneList {
        match p {
            Pane::Projects => &self.projects,
            Pane::Users => &self.users,
            Pane::Certs => &self.certs,
        }
    }

    pub fn pane_mut(&mut self, p: Pane) -> &mut dyn PaneList {
        match p {
            Pane::Projects => &mut self.projects,
            Pane::Users => &mut self.users,
            Pane::Certs => &mut self.certs,
        }
    }

    /// The focused pane's list.
    pub fn focused(&self) -> &dyn PaneList {
        self.pane(self.focus)
    }

    /// A pane's error, whole, in the message list.
    pub fn log_pane_error(&mut self, pane: &str, error: Option<String>) {
        if let Some(e) = error {
            let now = self.now;
            self.messages
                .push(now, Level::Error, &format!("{pane}: {e}"));
        }
    }

    pub fn new(env: Env, now: Timestamp) -> Self {
        let per_page = env.items_per_page;
        let seeking = env.start.clone();
        Self {
            env,
            focus: Pane::Projects,
            projects: ListPane::default(),
            users: ListPane::default(),
            users_owner: None,
            certs: CertsPane {
                per_page,
                page: 1,
                ..CertsPane::default()
            },
            modal: None,
            status: None,
            messages: Default::default(),
            now,
            mono_ms: 0,
            quit: false,
            kept_keys: Vec::new(),
            fatal: None,
            suspend: false,
            size: (0, 0),
            next_id: 1,
            users_due: None,
            certs_due: None,
            expiring: None,
            seeking,
            copying: None,
        }
    }

    /// Where the user is now, for the next run to open at.
    pub fn place(&self) -> Option<Place> {
        if let Some(p) = &self.seeking {
            return Some(p.clone());
        }
        let project = self.selected_project()?.id.clone();
        let user = (self.users_owner.as_deref() == Some(project.as_str()))
            .then(|| self.selected_user().map(|u| u.username().to_string()))
            .flatten();
        let pane = match self.focus {
            Pane::Certs if user.is_none() => Pane::Users,
            p => p,
        };
        Some(Place {
            project,
            user,
            pane,
            remembered: true,
        })
    }

    pub fn next_request(&mut self) -> RequestId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn selected_project(&self) -> Option<&Project> {
        self.projects.selected_item()
    }

    pub fn selected_user(&self) -> Option<&UserItem> {
        self.users.selected_item()
    }

    pub fn busy(&self) -> bool {
        self.projects.loading.is_some()
            || self.users.loading.is_some()
            || self.certs.loading.is_some()
            || self.users_due.is_some()
            || self.certs_due.is_some()
            || match &self.modal {
                Some(Modal::Issue(m)) => m.in_flight.is_some(),
                Some(Modal::Pem(m)) => m.busy.is_some(),
                Some(Modal::Disable(m)) => {
                    matches!(m.stage, DisableStage::Loading(_) | DisableStage::Running(_))
                }
                _ => false,
            }
    }

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        let secs = match level {
            Level::Info => 6_000,
            Level::Warn => 10_000,
            Level::Error => 20_000,
        };
        let text = text.into();
        self.messages.push(self.now, level, &text);
        self.status = Some(Status {
            text,
            level,
            until_ms: self.mono_ms + secs,
        });
    }

    /// Why the selected user cannot get an Atlas certificate, if not.
    pub fn issue_blocker(user: &UserItem) -> Option<String> {
        match user.x509_type {
            X509Type::Managed => None,
            X509Type::Customer => Some(format!(
                "{} uses a customer-managed CA: issue its certificates with your own CA, not Atlas",
                user.username()
            )),
            X509Type::None => Some(format!(
                "{} is not an X.509 user (x509Type NONE): only MANAGED users get Atlas certificates",
                user.username()
            )),
            X509Type::Unknown => Some(format!(
                "{} has an x509Type this version does not know",
                user.username()
            )),
        }
    }
}
