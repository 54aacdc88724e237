//! atlas-x509: a terminal UI for the X.509 certificates of MongoDB Atlas
//! database users, with the Atlas simulator that backs `--demo` and the tests.

pub mod app;
pub mod atlas;
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
pub mod pem;
pub mod renew;
pub mod rotation;
pub mod sanitize;
pub mod sim;
pub mod tui;
pub mod ui;
pub mod worker;
