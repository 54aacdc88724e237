//! The create-user dialog: an X.509 MANAGED user and its roles.

use tui_input::Input;

use super::RequestId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Username,
    Roles,
}

#[derive(Debug, PartialEq, Eq)]
pub enum CreateStage {
    Form,
    Running(RequestId),
    /// Created: issue its first certificate now?
    Created {
        username: String,
    },
}

#[derive(Debug)]
pub struct CreateUserModal {
    pub group_id: String,
    pub project: String,
    pub username: Input,
    pub roles: Input,
    pub field: Field,
    pub stage: CreateStage,
    pub error: Option<String>,
}
