//! Completions and man pages come from the command line's definition: every
//! command and every flag appears in each, as each shell or roff spells it.

mod common;

use atlas_x509::cli::Cli;
use clap::CommandFactory;
use common::bin::Home;

/// (command path, its long flags), for every command and subcommand.
fn commands() -> Vec<(Vec<String>, Vec<String>)> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, Vec<String>)>) {
        let flags = cmd
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect();
        out.push((path.clone(), flags));
        for sub in cmd.get_subcommands() {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    walk(&cmd, vec![], &mut out);
    out
}

#[test]
fn every_command_and_flag_is_in_every_completion_script() {
    let home = Home::new();
    let all = commands();
    assert!(all.len() > 12, "{}", all.len());
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = home.run(&[], &["completion", shell]);
        assert_eq!(o.code, 0, "{shell}: {}", o.err());
        let script = o.out();
        for (path, flags) in &all {
            if let Some(name) = path.last() {
                assert!(script.contains(name.as_str()), "{shell}: command {name}");
            }
            for flag in flags {
                let spelled = match shell {
                    // fish: `complete -c atlas-x509 … -l project`
                    "fish" => format!("-l {flag}"),
                    _ => format!("--{flag}"),
                };
                assert!(script.contains(&spelled), "{shell}: {spelled} of {path:?}");
            }
        }
    }
    assert_ne!(home.run(&[], &["completion", "tcsh"]).code, 0);
}

#[test]
fn every_command_and_flag_is_in_the_man_pages() {
    let home = Home::new();
    let dir = home.path().join("man/man1");
    let o = home.run(&[], &["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.err());
    let all = commands();
    for (path, flags) in &all {
        let mut name = vec!["atlas-x509".to_string()];
        name.extend(path.iter().cloned());
        let file = dir.join(format!("{}.1", name.join("-")));
        // clap's own `help` command (and its tree) gets no page.
        if path.iter().any(|n| n == "help") {
            continue;
        }
        let page =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(page.starts_with(".ie") || page.contains(".TH"), "roff");
        for flag in flags {
            // roff writes each '-' as '\-'.
            let spelled = format!("\\-\\-{}", flag.replace('-', "\\-"));
            assert!(page.contains(&spelled), "{}: --{flag}", file.display());
        }
    }
    let pages = all
        .iter()
        .filter(|(p, _)| !p.iter().any(|n| n == "help"))
        .count();
    assert!(
        o.err().contains(&format!("{pages} man pages written")),
        "{}",
        o.err()
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), pages);
    let file = home.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let o = home.run(&[], &["man", "--dir", file.to_str().unwrap()]);
    assert_eq!(o.code, 1);
    assert!(o.err().contains("is not a directory"), "{}", o.err());
    // Without --dir: the main page on stdout, naming every command.
    let o = home.run(&[], &["man"]);
    assert_eq!(o.code, 0, "{}", o.err());
    let page = o.out();
    for (path, _) in all.iter().filter(|(p, _)| p.len() == 1) {
        assert!(
            page.contains(&path[0].replace('-', "\\-")),
            "main page names {}",
            path[0]
        );
    }
    assert!(
        !home.path().join("state").exists(),
        "no log or state written"
    );
}

#[test]
fn man_pages_never_follow_a_symbolic_link() {
    let home = Home::new();
    let dir = home.path().join("man1");
    std::fs::create_dir_all(&dir).unwrap();
    let victim = home.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("atlas-x509-rotate.1")).unwrap();
    let o = home.run(&[], &["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(o.code, 1, "{}", o.err());
    assert!(o.err().contains("symbolic link"), "{}", o.err());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    // A page already there (a regular file) is replaced, as before.
    std::fs::remove_file(dir.join("atlas-x509-rotate.1")).unwrap();
    std::fs::write(dir.join("atlas-x509-rotate.1"), "old").unwrap();
    let o = home.run(&[], &["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(
        std::fs::read_to_string(dir.join("atlas-x509-rotate.1"))
            .unwrap()
            .contains(".TH")
    );
}
