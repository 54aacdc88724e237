//! The disable dialog: clearing a project's customer CA, confirmed by name.

use tui_input::Input;

use super::RequestId;

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
