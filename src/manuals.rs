//! Shell completions and man pages, generated from the command line's own
//! definition so they can never disagree with `--help`.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;

const BIN: &str = "atlas-x509";

/// The completion script for `shell`.
pub fn completion(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    out
}

/// The main page (roff), whose COMMANDS section names every command.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    Ok(out)
}

/// atlas-x509.1 and atlas-x509-<command>.1 for every command, as git and
/// gh install theirs; `Ok` is the number of pages written.
pub fn write_man_pages(dir: &Path) -> Result<usize, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("{} is not a directory", dir.display()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .map_err(|e| format!("cannot write the man pages into {}: {e}", dir.display()))?;
    Ok(count_pages(&Cli::command().disable_help_subcommand(true)))
}

fn count_pages(cmd: &clap::Command) -> usize {
    1 + cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(count_pages)
        .sum::<usize>()
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
pub fn print(bytes: &[u8]) -> Result<(), String> {
    let mut o = std::io::stdout().lock();
    match o.write_all(bytes).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write to stdout: {e}")),
    }
}
