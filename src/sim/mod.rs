//! The Atlas simulator: the Admin API endpoints atlas-x509 uses, served over
//! real HTTP on loopback with real Digest auth and real certificates. It backs
//! `--demo` and the tests.

pub mod ca;
pub mod digest;
pub mod seed;
pub mod store;
