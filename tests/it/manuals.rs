//! Completions and man pages come from the command line's definition: every
//! command and every flag appears in each, as each shell or roff spells it.

use crate::common;

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

/// The part of a completion script that completes `path` (the root: the
/// whole script), so that a flag is looked for under its own command.
fn section<'a>(shell: &str, script: &'a str, path: &[String]) -> String {
    if path.is_empty() {
        return script.to_string();
    }
    let lines: Vec<&'a str> = script.lines().collect();
    let from = |start: usize, end: &dyn Fn(&str) -> bool| -> String {
        lines[start..]
            .iter()
            .skip(1)
            .take_while(|l| !end(l))
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    };
    let find = |want: &str| {
        lines
            .iter()
            .position(|l| l.trim() == want)
            .unwrap_or_else(|| panic!("{shell}: no section {want:?}"))
    };
    match shell {
        // `atlas__subcmd__x509__subcmd__create__subcmd__user)`, then its opts.
        "bash" => {
            let arm = std::iter::once("atlas-x509")
                .chain(path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("-")
                .replace('-', "__subcmd__");
            let at = find(&format!("{arm})"));
            lines[at..]
                .iter()
                .find(|l| l.trim_start().starts_with("opts=\""))
                .unwrap_or_else(|| panic!("bash: no opts for {arm}"))
                .to_string()
        }
        // Lines completing under `using_subcommand <first>` (and, nested,
        // `seen_subcommand_from <second>`).
        "fish" => lines
            .iter()
            .filter(|l| {
                l.contains(&format!("__fish_atlas_x509_using_subcommand {}", path[0]))
                    && path[1..]
                        .iter()
                        .all(|p| l.contains(&format!("__fish_seen_subcommand_from {p}")))
            })
            .copied()
            .collect::<Vec<_>>()
            .join("\n"),
        // `(name)` up to its `;;`.
        "zsh" => {
            let name = path.last().unwrap();
            let starts: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.trim() == format!("({name})"))
                .map(|(i, _)| i)
                .collect();
            assert!(!starts.is_empty(), "zsh: no section ({name})");
            starts
                .iter()
                .map(|&i| from(i, &|l: &str| l.trim() == ";;"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        // `'atlas-x509;rotate' {` up to its `break`.
        "powershell" => {
            let key = std::iter::once("atlas-x509")
                .chain(path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(";");
            let at = find(&format!("'{key}' {{"));
            from(at, &|l: &str| l.trim() == "break")
        }
        _ => unreachable!(),
    }
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
            // clap's own `help` tree completes no flags of its own.
            if path.iter().any(|n| n == "help") {
                continue;
            }
            let part = section(shell, &script, path);
            for flag in flags {
                let spelled = match shell {
                    // fish: `complete -c atlas-x509 … -l project`
                    "fish" => format!("-l {flag}"),
                    _ => format!("--{flag}"),
                };
                assert!(part.contains(&spelled), "{shell}: {spelled} under {path:?}");
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
        assert!(page.contains("\n.TH ") || page.starts_with(".TH "), "roff");
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
