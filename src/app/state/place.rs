//! Where the app opens: the project (and user, and pane) named on the
//! command line, or the place the last run was left in.

use super::Pane;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub project: String,
    pub user: Option<String>,
    pub pane: Pane,
    /// From the last run, not asked for: when it is gone (a deleted
    /// project, other credentials) the app opens quietly at the top.
    pub remembered: bool,
}

impl Place {
    /// A project asked for by id, opened on its users.
    pub fn project(id: impl Into<String>) -> Self {
        Place {
            project: id.into(),
            user: None,
            pane: Pane::Users,
            remembered: false,
        }
    }
}
