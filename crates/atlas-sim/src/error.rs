//! An Atlas error answer, as the simulator gives it: status, `errorCode`,
//! `detail` and `parameters`, with the documented codes it uses most.

use serde_json::{Value, json};

/// An Atlas error answer: status, code, detail and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct SimError {
    pub status: u16,
    pub code: &'static str,
    pub detail: String,
    pub parameters: Vec<Value>,
}

impl SimError {
    pub fn new(
        status: u16,
        code: &'static str,
        detail: impl Into<String>,
        parameters: Vec<Value>,
    ) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            parameters,
        }
    }

    pub fn group_not_found(id: &str) -> Self {
        Self::new(
            404,
            "GROUP_NOT_FOUND",
            format!("No group with ID {id} exists."),
            vec![json!(id)],
        )
    }

    pub fn invalid_group_id(id: &str) -> Self {
        Self::new(
            404,
            "INVALID_GROUP_ID",
            format!("An invalid group ID {id} was specified."),
            vec![json!(id)],
        )
    }

    pub fn user_not_found(name: &str) -> Self {
        Self::new(
            404,
            "USERNAME_NOT_FOUND",
            format!("No user with username {name} exists."),
            vec![json!(name)],
        )
    }

    pub fn validation(what: &str) -> Self {
        Self::new(
            400,
            "VALIDATION_ERROR",
            format!("The request content produced the validation error: {what}."),
            vec![json!(what)],
        )
    }

    pub fn invalid_query(name: &str) -> Self {
        Self::new(
            400,
            "INVALID_QUERY_PARAMETER",
            format!("Invalid query parameter {name} specified."),
            vec![json!(name)],
        )
    }

    pub fn unexpected() -> Self {
        Self::new(500, "UNEXPECTED_ERROR", "Unexpected error.", vec![])
    }
}
