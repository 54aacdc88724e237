//! atlas-x509: a terminal UI for the X.509 certificates of MongoDB Atlas
//! database users, with the Atlas simulator that backs `--demo` and the tests.

/// `eprintln!` that cannot panic: a closed or broken stderr (a reader that
/// went away) loses the line, never the run or the key in hand.
#[macro_export]
macro_rules! say_err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

pub mod app;
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
pub mod tui;
pub mod ui;
pub mod worker;
