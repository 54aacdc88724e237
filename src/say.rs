//! Lines for stderr that cannot panic: a closed or broken stderr (a
//! reader that went away, a terminal hung up) loses the line, never the
//! run or the key in hand.

/// `eprintln!` that cannot panic: a closed or broken stderr (a reader that
/// went away) loses the line, never the run or the key in hand.
#[macro_export]
macro_rules! say_err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

/// "atlas-x509: {text}" on stderr.
pub fn say(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "atlas-x509: {text}");
}
