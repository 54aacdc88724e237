//! The pure state machine: `State`, `Msg` in, `Command` out.

pub mod keymap;
pub mod list;
mod modals;
pub mod msg;
pub mod state;
mod update;

pub use modals::default_pem_path;
pub use msg::{ApiResult, CertInfo, Command, Issued, Msg, RequestId, SaveOutcome};
pub use state::{DisableStage, Env, Level, Modal, Pane, PemPrompt, State};
pub use update::{DEBOUNCE_MS, init, update};
