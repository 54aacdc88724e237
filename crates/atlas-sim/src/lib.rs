//! The Atlas simulator: the Admin API endpoints atlas-x509 uses, served over
//! real HTTP on loopback with real Digest auth and real certificates. It backs
//! `--demo` and the tests.

pub mod account;
pub mod buckets;
mod ca;
pub mod digest;
mod error;
mod guard;
pub mod lifecycle;
mod listen;
mod render;
mod routes;
pub mod seed;
mod server;
mod shared;
pub mod store;

pub use buckets::RateLimit;
pub use ca::{IssueFault, KeyType};
pub use error::SimError;
pub use seed::Seed;
pub use server::{SimConfig, SimHandle, start};
pub use shared::{RequestRecord, SimCredentials};
