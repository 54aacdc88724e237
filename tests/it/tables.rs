//! Tables are written from the compact rows, not built: `users` as a table
//! costs about what `--json` costs, however many users there are.

use crate::common;

use common::PAYMENTS;
use common::bin::Home;

const USERS: usize = 60_000;

/// The simulator as a process of its own: the binary's peak RSS as
/// `wait4` reports it starts from the parent's at the fork, so the parent
/// must not hold 60,000 users itself.
struct Sim {
    child: std::process::Child,
    env: Vec<(&'static str, String)>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn big_project(home: &Home) -> Sim {
    use std::io::{BufRead, Write};
    // Written as it is made: a Value tree of 60,000 users would raise
    // this process's peak, and with it the child's as measured.
    let path = home.path().join("seed.json");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(
        f,
        r#"{{"orgId":"a0123456789abcdef012345a","projects":[{{"id":"{PAYMENTS}","name":"big","created":"2025-01-01T00:00:00Z","users":["#
    )
    .unwrap();
    for i in 0..USERS {
        let comma = if i + 1 < USERS { "," } else { "" };
        write!(
            f,
            r#"{{"username":"user-{i:06}","x509Type":"NONE","roles":[{{"roleName":"read","databaseName":"app"}}]}}{comma}"#
        )
        .unwrap();
    }
    f.write_all(b"]}]}").unwrap();
    f.flush().unwrap();
    drop(f);
    let mut child = std::process::Command::new(common::bin::path())
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--key-type",
            "ec",
            "--seed",
        ])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&first).unwrap();
    let s = |k: &str| info[k].as_str().unwrap().to_string();
    Sim {
        env: vec![
            ("MONGODB_ATLAS_OPS_MANAGER_URL", s("base_url")),
            ("MONGODB_ATLAS_PUBLIC_API_KEY", s("public_key")),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", s("private_key")),
        ],
        child,
    }
}

#[test]
fn a_users_table_costs_about_what_its_json_costs() {
    let home = Home::new();
    let sim = big_project(&home);
    let env: Vec<(&str, &str)> = sim.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args = ["users", "--project", PAYMENTS];
    let json = home.run(&env, &[&args[..], &["--json"]].concat());
    assert_eq!(json.code, 0, "{}", json.err());
    let table = home.run(&env, &args);
    assert_eq!(table.code, 0, "{}", table.err());
    let text = table.out();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), USERS + 1, "a header and one line per user");
    assert!(lines[0].starts_with("USERNAME"));
    let col = lines[0].find("DATABASE").unwrap();
    assert!(
        lines[1..]
            .iter()
            .all(|l| l[col..].starts_with("app") || l[col..].starts_with("admin")),
        "columns line up"
    );
    let (t, j) = (table.peak_rss_kib / 1024, json.peak_rss_kib / 1024);
    eprintln!("peak RSS for {USERS} users: table {t} MiB, --json {j} MiB");
    // Built cell by cell, the table cost 2.5x the JSON.
    assert!(
        table.peak_rss_kib <= json.peak_rss_kib * 5 / 4 + 4 * 1024,
        "table {t} MiB vs json {j} MiB"
    );
}
