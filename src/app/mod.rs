//! The pure state machine: `State`, `Msg` in, `Command` out.

pub mod cert_view;
mod certs;
pub mod create_user;
pub mod expiring;
pub mod hints;
pub mod keymap;
pub mod list;
pub mod messages;
mod modals;
mod mouse;
pub mod msg;
pub mod pem_dialog;
pub mod state;
mod update;
pub mod upload_ca;
pub mod users;

pub use msg::{
    ApiResult, CaBundle, CertInfo, Command, Held, IssueFailure, Issued, Msg, RequestId,
    SaveOutcome, ScanEvent,
};
pub use pem_dialog::default_pem_name;
pub use state::{CertSort, DisableStage, Env, Level, Modal, Pane, PemPrompt, State};
pub use update::{DEBOUNCE_MS, init, update};
