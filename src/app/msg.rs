//! What enters the state machine (`Msg`) and what leaves it (`Command`).

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};
use jiff::Timestamp;

pub use crate::handover::Held;
pub use crate::pem::clipboard::Copied;
pub use crate::pem::save::SaveOutcome;
pub use atlas_client::inspect::CertInfo;

use atlas_client::{DatabaseUser, IssuedPem, Page, PageRequest, Project, UserCert, UserSecurity};

pub type RequestId = u64;

/// An error as the user sees it: Atlas's `errorCode` and `detail`, or the
/// transport failure. Never holds a secret (the client scrubs them).
pub type ErrorText = String;

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    /// Only with mouse capture on (`--mouse`).
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Time passes: wall clock for "time left", a monotonic count for timers.
    Tick {
        now: Timestamp,
        mono_ms: u64,
    },
    Api(RequestId, ApiResult),
    /// The client waits before retrying a GET (a 429's `Retry-After`, a 5xx
    /// backoff); status 0 is a transport failure.
    Waiting {
        secs: u64,
        status: u16,
    },
    /// Something that should never happen did (a worker panicked): the app
    /// ends rather than run on half-dead.
    Fatal(String),
}

#[derive(Debug)]
pub struct Issued {
    pub pem: Arc<IssuedPem>,
    pub info: Option<CertInfo>,
    /// Why Atlas's answer is not a usable certificate + key, if it is not.
    /// It is shown and handed over all the same: it is all there is.
    pub problem: Option<String>,
    /// Who it was issued for (the dialog may have closed meanwhile).
    pub username: String,
    /// Where the key lives until it is handed over.
    pub held: Held,
}

/// Issuing failed; `maybe_issued` when the request reached Atlas and its
/// answer was lost, so a certificate may exist whose key nobody has.
#[derive(Debug)]
pub struct IssueFailure {
    pub text: ErrorText,
    pub maybe_issued: bool,
}

/// A customer CA bundle read from a file, checked, and described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaBundle {
    pub path: PathBuf,
    pub text: String,
    pub cas: Vec<atlas_client::bundle::CaInfo>,
    /// CA certificates the project trusts now (0: customer X.509 is off).
    pub current: usize,
}

/// One result of the expiring view's scan (`atlas::fleet`), as the UI
/// holds it: of each user only the newest certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanEvent {
    /// How many projects the scan covers.
    Projects(usize),
    /// A project's MANAGED users, each once; their certificates follow.
    /// `over`: users past the scan's bound, not read.
    Project {
        id: String,
        name: String,
        users: Vec<String>,
        over: usize,
    },
    /// Not scanned, for a reason that is no error (a customer CA).
    Skipped { id: String, name: String },
    /// A project (empty id: the project list) could not be read.
    Failed {
        id: String,
        name: String,
        error: ErrorText,
    },
    User {
        project_id: String,
        project: String,
        username: String,
        newest: Result<Option<UserCert>, ErrorText>,
    },
    /// The scan is over.
    Done,
}

#[derive(Debug)]
pub enum ApiResult {
    Projects(Result<Page<Project>, ErrorText>),
    Users(Result<Page<DatabaseUser>, ErrorText>),
    Certs(u32, Result<Page<UserCert>, ErrorText>),
    /// Every certificate of a user, to sort and filter as a whole.
    AllCerts(Result<Vec<UserCert>, ErrorText>),
    Issued(Result<Box<Issued>, IssueFailure>),
    Security(Result<UserSecurity, ErrorText>),
    Disabled(Result<UserSecurity, ErrorText>),
    Saved(SaveOutcome),
    /// A result of the expiring view's scan, many per request.
    Scan(ScanEvent),
    UserCreated(Result<Box<DatabaseUser>, ErrorText>),
    CaBundleRead(Result<Box<CaBundle>, ErrorText>),
    CustomerX509Set(Result<UserSecurity, ErrorText>),
    /// How the PEM reached the clipboard, or why it did not.
    /// The event loop writes any OSC 52 bytes to the terminal (and turns a
    /// failed write into an error) before the state machine sees this.
    Copied(Result<Copied, ErrorText>),
    /// Where the CA bundle was saved.
    CaBundleSaved(Result<PathBuf, ErrorText>),
    /// A written-ahead key file removed, or why not.
    Released(Result<PathBuf, ErrorText>),
}

#[derive(Debug, Clone)]
pub enum Command {
    FetchProjects {
        id: RequestId,
        page: PageRequest,
    },
    FetchUsers {
        id: RequestId,
        group_id: String,
        page: PageRequest,
    },
    FetchCerts {
        id: RequestId,
        group_id: String,
        username: String,
        page: PageRequest,
    },
    /// Every certificate of a user, stopping past `max_items`.
    FetchAllCerts {
        id: RequestId,
        group_id: String,
        username: String,
        max_items: u64,
        concurrency: usize,
    },
    CreateCert {
        id: RequestId,
        group_id: String,
        username: String,
        months: u8,
    },
    FetchSecurity {
        id: RequestId,
        group_id: String,
    },
    DisableCustomerX509 {
        id: RequestId,
        group_id: String,
    },
    SavePem {
        id: RequestId,
        pem: Arc<IssuedPem>,
        path: PathBuf,
        /// The file name to use when `path` is a directory.
        default_name: String,
        overwrite: bool,
        /// Certificate and key as `<name>.crt` (0644) and `<name>.key` (0600).
        split: bool,
    },
    CopyPem {
        id: RequestId,
        pem: Arc<IssuedPem>,
    },
    /// The CA certificates a disable would clear, kept in a file first
    /// (never over an existing one).
    SaveCaBundle {
        id: RequestId,
        path: PathBuf,
        text: Arc<str>,
    },
    /// Text that is not a secret (a serial, a fingerprint, a command).
    CopyText {
        id: RequestId,
        text: String,
    },
    /// The key was handed over (or discarded): its written-ahead file goes.
    ReleaseKey {
        id: RequestId,
        path: PathBuf,
    },
    CreateUser {
        id: RequestId,
        group_id: String,
        user: atlas_client::NewX509User,
    },
    ReadCaBundle {
        id: RequestId,
        group_id: String,
        path: PathBuf,
    },
    SetCustomerX509 {
        id: RequestId,
        group_id: String,
        cas: String,
    },
    /// The expiring view's scan: one project, or every one (`None`).
    Scan {
        id: RequestId,
        project: Option<(String, String)>,
        concurrency: usize,
    },
}

impl Command {
    /// Requests in the same slot supersede each other: the worker cancels the
    /// older one. Issuing is never in a slot: it is never cancelled.
    /// Work whose answer holds or hands over a key: counted until answered,
    /// and the program does not end before.
    pub fn holds_a_key(&self) -> bool {
        matches!(
            self,
            Command::CreateCert { .. }
                | Command::SavePem { .. }
                | Command::CopyPem { .. }
                | Command::ReleaseKey { .. }
        )
    }

    pub fn slot(&self) -> Option<&'static str> {
        match self {
            Command::FetchProjects { .. } => Some("projects"),
            Command::FetchUsers { .. } => Some("users"),
            Command::FetchSecurity { .. } => Some("security"),
            Command::Scan { .. } => Some("scan"),
            _ => None,
        }
    }
}
