//! The `:` command line: what is typed, and what it last said.

use tui_input::Input;

#[derive(Debug, Default)]
pub struct CommandLine {
    pub input: Input,
    /// What the last Tab or Enter said: the candidates, or why nothing ran.
    pub note: Option<String>,
    pub refused: bool,
}
