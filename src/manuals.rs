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
    // Each page made as the key files are: through the directory's handle,
    // a temp file renamed into place, never following a symbolic link.
    let open = crate::pem::open_dir::OpenDir::open(dir)
        .map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut pages = Vec::new();
    render_pages(&cmd, &mut pages).map_err(|e| format!("cannot render the man pages: {e}"))?;
    for (name, bytes) in &pages {
        open.write_new(std::ffi::OsStr::new(name), bytes, true, 0o644)
            .map_err(|why| format!("{}: {why}", dir.join(name).display()))?;
    }
    Ok(pages.len())
}

/// (file name, roff) for `cmd` and every visible subcommand, as
/// clap_mangen's `generate_to` names them.
fn render_pages(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        render_pages(sub, out)?;
    }
    let man = clap_mangen::Man::new(cmd.clone());
    let mut bytes = Vec::new();
    man.render(&mut bytes)?;
    out.push((man.get_filename(), bytes));
    Ok(())
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
