//! The only code that speaks HTTP to Atlas.

mod auth;
mod client;
mod error;
pub mod fleet;
pub mod jwt;
mod model;
mod paginate;
mod path;
pub mod roles;
pub mod usernames;

pub use auth::{Credentials, TokenOrigin, TokenReload, renew_advice, renew_command};
pub use client::{
    API_V2_MEDIA_TYPE, Client, ClientConfig, DEFAULT_BASE_URL, MAX_IN_FLIGHT, RateLimitInfo,
    WaitObserver,
};
pub use error::{ApiError, BadRequestDetail, Error, FieldViolation, TransportKind, human_wait};
pub use model::{
    CustomerX509, DatabaseUser, IssuedPem, Link, NewX509User, Page, PageRequest, Project, Role,
    Scope, UserCert, UserSecurity, X509Type,
};
pub use paginate::{Limits, fetch_all, fetch_all_kept};
pub use path::{encode_path_segment, validate_group_id, validate_months, validate_username};
