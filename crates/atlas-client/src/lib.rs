//! A client for the parts of the MongoDB Atlas Admin API that X.509 user
//! certificates live in: projects, database users, their certificates and
//! the project's customer CA. HTTP Digest with API keys, service-account
//! client credentials and `atlas auth login` tokens; pagination with
//! bounds; per-bucket rate-limit pacing; one bounded organisation scan
//! ([`fleet`]); reading an issued PEM ([`inspect`]) and a CA bundle
//! ([`bundle`]); and [`sanitize`], which every string from a server passes
//! before it reaches a terminal. See README.md beside this crate.

mod auth;
pub mod bundle;
mod client;
mod error;
pub mod fleet;
pub mod inspect;
pub mod jwt;
mod model;
pub mod os_error;
mod paginate;
mod path;
pub mod roles;
pub mod sanitize;
pub mod time_format;
pub mod usernames;

pub use auth::{Credentials, TokenOrigin, TokenReload, renew_advice, renew_command};
pub use client::{
    API_V2_MEDIA_TYPE, Client, ClientConfig, DEFAULT_BASE_URL, MAX_IN_FLIGHT, RateLimitInfo,
    WaitObserver,
};
pub use error::{ApiError, BadRequestDetail, Error, FieldViolation, TransportKind, human_wait};
pub use model::{
    CustomerX509, DatabaseUser, IssuedPem, Link, NewX509User, Page, PageRequest, Project, Role,
    Scope, UserCert, UserSecurity, X509Type, looks_like_project_id, project_named,
};
pub use paginate::{Limits, fetch_all, fetch_all_kept};
pub use path::{encode_path_segment, validate_group_id, validate_months, validate_username};

/// The README's example, compiled by `cargo test`: it stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
