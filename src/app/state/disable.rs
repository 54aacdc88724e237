//! The disable dialog: clearing a project's customer CA, confirmed by name.

use std::sync::Arc;

use tui_input::Input;

use super::RequestId;
use atlas_client::bundle::CaInfo;

#[derive(Debug)]
pub enum DisableStage {
    Loading(RequestId),
    NothingToDisable,
    Confirm {
        ca_count: usize,
        typed: Input,
        /// The certificates that would be cleared, or why they could not
        /// be read (the count still stands).
        cas: Result<Vec<CaInfo>, String>,
        /// Atlas's PEM text of them, to keep before it is gone.
        pem: Arc<str>,
    },
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
    /// Saving the CA bundle first: the path being typed.
    pub save_path: Option<Input>,
    /// The save sent, not yet answered.
    pub saving: Option<RequestId>,
    /// Where the bundle was kept.
    pub saved: Option<std::path::PathBuf>,
}
