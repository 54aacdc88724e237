//! atlas-x509: a terminal UI and commands for the X.509 certificates of
//! MongoDB Atlas database users (the client is `atlas-client`, the
//! simulator behind `--demo` and the tests is `atlas-sim`).

pub mod app;
pub mod ca_file;
pub mod cli;
pub mod config;
pub mod dirs;
pub mod format;
pub mod handover;
pub mod harden;
pub mod headless;
pub mod layout;
pub mod logging;
pub mod manuals;
pub mod metrics;
pub mod pem;
pub mod places;
pub mod renew;
pub mod rotation;
pub mod say;
pub mod tui;
pub mod ui;
pub mod worker;
