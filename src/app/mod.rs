//! The pure state machine: `State`, `Msg` in, `Command` out.

mod cert_view;
mod certs;
mod command_line;
mod copy_text;
mod create_user;
mod disable;
mod expiring;
pub mod hints;
mod issue;
pub mod keymap;
mod lists;
mod modals;
mod mouse;
pub mod msg;
pub mod pem_dialog;
mod place;
pub mod state;
mod update;
mod upload_ca;

pub use lists::DEBOUNCE_MS;
pub use msg::{
    ApiResult, CaBundle, CertInfo, Command, Held, IssueFailure, Issued, Msg, RequestId,
    SaveOutcome, ScanEvent,
};
pub use pem_dialog::default_pem_name;
pub use state::{CertSort, DisableStage, Env, Level, Modal, Pane, PemPrompt, Place, State};
pub use update::{init, update};
