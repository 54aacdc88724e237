//! The upload-CA dialog: a CA bundle read, shown, confirmed by name.

use std::sync::Arc;

use tui_input::Input;

use super::{CaBundle, RequestId};

#[derive(Debug)]
pub enum UploadStage {
    Path,
    Reading(RequestId),
    Confirm { bundle: Arc<CaBundle>, typed: Input },
    Running(RequestId),
    Done { count: usize },
}

#[derive(Debug)]
pub struct UploadModal {
    pub group_id: String,
    pub project: String,
    pub path: Input,
    pub stage: UploadStage,
    /// Why the last step did not go on.
    pub note: Option<String>,
}
