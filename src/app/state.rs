//! Everything the screen shows, and nothing it does.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;
use tui_input::Input;

use super::list::ListPane;
use super::msg::{CertInfo, RequestId};
use super::users::UserItem;
use atlas_client::{IssuedPem, Project, UserCert, X509Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Projects,
    Users,
    Certs,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Projects, Pane::Users, Pane::Certs];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Projects => "Projects",
            Pane::Users => "Database users",
            Pane::Certs => "Certificates",
        }
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
    /// Opened at start (from the profile or MONGODB_ATLAS_PROJECT_ID).
    pub default_project: Option<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertSort {
    /// Atlas's own order.
    #[default]
    Created,
    Expires,
}

impl CertSort {
    /// What a certificate is ordered by; the serial breaks ties.
    pub fn key(self, c: &UserCert) -> (Timestamp, u64) {
        match self {
            CertSort::Created => (c.created_at, c.id),
            CertSort::Expires => (c.not_after, c.id),
        }
    }
}

#[derive(Debug, Default)]
pub struct CertsPane {
    /// (project id, username) the pane shows.
    pub owner: Option<(String, String)>,
    /// Why there is nothing to list (user not MANAGED), if so.
    pub note: Option<String>,
    pub per_page: u32,
    pub page: u32,
    pub pages: BTreeMap<u32, Vec<UserCert>>,
    pub total: Option<u64>,
    pub selected: usize,
    pub loading: Option<(RequestId, u32)>,
    pub prefetching: Option<(RequestId, u32)>,
    pub error: Option<String>,
    /// After issuing: show the last page, where the new certificate is.
    pub jump_to_last: bool,
    /// The jump is under way: select the last row when its page arrives.
    /// The jump is made once, whatever later answers say the count is.
    pub select_last: bool,
    /// After a refresh or a page-size change: select this serial again.
    pub reselect: Option<u64>,
    pub filter: Input,
    pub filter_editing: bool,
    pub sort: CertSort,
    pub descending: bool,
    /// A reload found its page gone and moved back once; never twice.
    pub fell_back: bool,
    /// Moves typed while the page was still loading.
    pub pending_moves: i64,
    /// Every certificate, when a sort or filter needs them all.
    pub whole: super::cert_view::Whole,
    /// The whole list in view order (indices into it), filter applied;
    /// rebuilt on change, never per frame.
    pub(super) view: Vec<u32>,
}

impl CertsPane {
    /// The page as Atlas sent it.
    pub fn page_rows(&self) -> &[UserCert] {
        self.pages.get(&self.page).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The page as shown: filtered by serial (decimal or hex) or subject,
    /// in the chosen order — a page of the whole list when it is in hand,
    /// else the server's page sorted and filtered on its own.
    pub fn rows(&self) -> Vec<&UserCert> {
        if let Some(all) = self.whole_list() {
            let per = self.per_page.max(1) as usize;
            let from = (self.page.max(1) as usize - 1).saturating_mul(per);
            return self
                .view
                .iter()
                .skip(from)
                .take(per)
                .map(|&i| &all[i as usize])
                .collect();
        }
        let needle = self.filter.value().trim().to_lowercase();
        let mut rows: Vec<&UserCert> = self
            .page_rows()
            .iter()
            .filter(|c| super::cert_view::matches_filter(c, &needle))
            .collect();
        rows.sort_by_key(|c| self.sort.key(c));
        if self.descending {
            rows.reverse();
        }
        rows
    }

    pub fn selected_cert(&self) -> Option<&UserCert> {
        self.rows().get(self.selected).copied()
    }

    /// Pages as the server counts them; a count past what a page number
    /// can hold saturates instead of wrapping.
    pub fn page_count(&self) -> Option<u32> {
        if let Some(n) = self.view_len() {
            let pages = (n as u64).div_ceil(u64::from(self.per_page.max(1))).max(1);
            return Some(u32::try_from(pages).unwrap_or(u32::MAX));
        }
        self.total.map(|t| {
            u32::try_from(t.div_ceil(u64::from(self.per_page.max(1))).max(1)).unwrap_or(u32::MAX)
        })
    }

    pub fn has_next(&self) -> bool {
        if self.whole_list().is_some() {
            return self.page_count().is_some_and(|n| self.page < n);
        }
        match self.page_count() {
            Some(n) => self.page < n,
            None => self.page_rows().len() as u32 >= self.per_page,
        }
    }
}

#[derive(Debug)]
pub struct IssueModal {
    pub group_id: String,
    pub project: String,
    pub username: String,
    pub months: u8,
    /// Digits typed so far, so "1" then "2" means 12.
    pub typed: String,
    pub in_flight: Option<RequestId>,
    pub error: Option<String>,
    /// The last request's answer was lost after it reached Atlas: a
    /// certificate may exist. Another one takes a deliberate key, not Enter.
    pub maybe_issued: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PemPrompt {
    None,
    SavePath,
    Overwrite(std::path::PathBuf),
    /// Closing (or quitting) with the key neither saved nor copied.
    Discard {
        then_quit: bool,
    },
    /// Closing after a copy, with the key still kept on disk: did the paste
    /// work? Only a yes lets the kept file go.
    CopyCheck {
        then_quit: bool,
    },
}

#[derive(Debug)]
pub struct PemModal {
    pub pem: Arc<IssuedPem>,
    pub info: Option<CertInfo>,
    /// Why the answer is not a usable certificate + key, if it is not.
    pub problem: Option<String>,
    pub username: String,
    pub scroll: u16,
    pub reveal_key: bool,
    pub saved_to: Vec<std::path::PathBuf>,
    /// Save as `.crt` + `.key` instead of one combined PEM.
    pub split: bool,
    pub copied: Option<String>,
    pub prompt: PemPrompt,
    pub path: Input,
    pub busy: Option<RequestId>,
    pub error: Option<String>,
    /// Where the key lives until it is handed over.
    pub held: super::msg::Held,
}

impl PemModal {
    pub fn handed_over(&self) -> bool {
        !self.saved_to.is_empty() || self.copied.is_some()
    }

    /// Lines of PEM text on screen: a masked key shows as one line.
    pub fn shown_line_count(&self) -> usize {
        let mut in_key = false;
        let mut n = 0;
        for line in self.pem.expose().lines() {
            let marker = line.contains("PRIVATE KEY");
            if line.starts_with("-----BEGIN") && marker {
                in_key = true;
                n += 1;
            } else if line.starts_with("-----END") && marker {
                in_key = false;
                n += if self.reveal_key { 1 } else { 2 };
            } else if !in_key || self.reveal_key {
                n += 1;
            }
        }
        n
    }
}

#[derive(Debug)]
pub enum DisableStage {
    Loading(RequestId),
    NothingToDisable,
    Confirm { ca_count: usize, typed: Input },
    Running(RequestId),
    Done,
    Failed(String),
}

#[derive(Debug)]
pub struct DisableModal {
    pub group_id: String,
    pub project: String,
    pub stage: DisableStage,
    /// Why Enter did nothing (the name does not match).
    pub note: Option<String>,
}

/// The help screen, scrolled.
#[derive(Debug, Default)]
pub struct HelpView {
    pub scroll: u16,
}

/// Everything the list gives about one certificate.
#[derive(Debug)]
pub struct CertDetail {
    pub cert: UserCert,
    pub project: String,
    pub username: String,
}

#[derive(Debug)]
pub enum Modal {
    Issue(IssueModal),
    Pem(Box<PemModal>),
    Disable(DisableModal),
    Help(HelpView),
    CertDetail(Box<CertDetail>),
    CreateUser(Box<super::create_user::CreateUserModal>),
    Upload(Box<super::upload_ca::UploadModal>),
    Messages(super::messages::MessagesView),
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
    pub messages: super::messages::MessageLog,
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
    pub expiring: Option<super::expiring::ExpiringView>,
}

impl State {
    pub fn new(env: Env, now: Timestamp) -> Self {
        let per_page = env.items_per_page;
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
        }
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
