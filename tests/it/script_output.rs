//! Output built for scripts, as gh and the Atlas CLI users expect: stdout
//! carries only data, a serial is a string in JSON, projects are named by
//! name or id, errors say what happened to which file, and each command's
//! help leads with its own flags.

use crate::common;

use common::bin::Home;
use common::*;
use serde_json::Value;

fn json(o: &common::bin::Out) -> Value {
    assert_eq!(o.code, 0, "stderr: {}", o.err());
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

#[tokio::test(flavor = "multi_thread")]
async fn stdout_is_only_rows_and_a_page_past_the_end_is_an_error() {
    let h = sim().await;
    let home = Home::new();
    let o = run_on_sim(&home, &h, &["certs", "-p", "orders-staging", "-u", "alice"]);
    assert_eq!(o.code, 0, "{}", o.err());
    let out = o.out();
    assert!(out.starts_with("SERIAL "), "{out}");
    assert!(
        out.lines()
            .skip(1)
            .all(|l| l.split_whitespace().next().unwrap().parse::<u64>().is_ok()),
        "only the header and rows on stdout: {out}"
    );
    assert!(o.err().contains("page 1/1 · 4 certificates"), "{}", o.err());

    let o = run_on_sim(
        &home,
        &h,
        &[
            "certs",
            "-p",
            "orders-staging",
            "-u",
            "alice",
            "--page",
            "5",
        ],
    );
    assert_eq!(o.code, 2, "a page that is not there is a usage error");
    assert!(o.out().is_empty());
    assert!(o.err().contains("there is no page 5"), "{}", o.err());
}

#[tokio::test(flavor = "multi_thread")]
async fn serials_are_strings_in_json_wherever_they_appear() {
    let h = sim().await;
    let home = Home::new();
    let v = json(&run_on_sim(
        &home,
        &h,
        &["certs", "-p", "orders-staging", "-u", "alice", "--json"],
    ));
    for c in v["results"].as_array().unwrap() {
        let id = c["_id"].as_u64().unwrap();
        assert_eq!(c["serial"], id.to_string(), "{c}");
    }
    let v = json(&run_on_sim(
        &home,
        &h,
        &[
            "expiring",
            "-p",
            "orders-staging",
            "--within",
            "400d",
            "--json",
        ],
    ));
    let rows = v.as_array().expect("rows");
    assert!(!rows.is_empty());
    for r in rows.iter().filter(|r| !r["_id"].is_null()) {
        assert_eq!(r["serial"], r["_id"].as_u64().unwrap().to_string(), "{r}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_are_named_by_name_or_id_and_a_wrong_name_says_what_there_is() {
    let h = sim().await;
    let home = Home::new();
    let by_name = json(&run_on_sim(
        &home,
        &h,
        &["users", "-p", "orders-staging", "--json"],
    ));
    let projects = json(&run_on_sim(&home, &h, &["projects", "--json"]));
    let id = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "orders-staging")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_id = json(&run_on_sim(
        &home,
        &h,
        &["users", "--project", &id, "--json"],
    ));
    assert_eq!(by_name, by_id);
    // The old spelling still works for scripts written against it.
    let old = json(&run_on_sim(
        &home,
        &h,
        &["users", "--project-id", &id, "--json"],
    ));
    assert_eq!(old, by_id);

    let o = run_on_sim(&home, &h, &["users", "-p", "orders"]);
    assert_eq!(o.code, 2);
    assert!(
        o.err().contains("no project named \"orders\" among the 4"),
        "{}",
        o.err()
    );
    let table = run_on_sim(&home, &h, &["projects"]).out();
    assert!(
        table
            .lines()
            .any(|l| l.contains(&id) && l.contains("orders-staging")),
        "names beside ids: {table}"
    );
}

#[test]
fn each_commands_help_leads_with_its_own_flags() {
    let home = Home::new();
    for (cmd, first) in [
        ("issue", "--user"),
        ("certs", "--user"),
        ("rotate", "--project"),
        ("expiring", "--project"),
        ("users", "--project"),
        ("create-user", "--project"),
    ] {
        let o = home.run(&[], &[cmd, "--help"]);
        assert_eq!(o.code, 0);
        let help = o.out();
        let lines = help.lines().count();
        assert!(lines <= 75, "{cmd} --help is {lines} lines:\n{help}");
        let first_flag = help
            .lines()
            .find(|l| l.trim_start().starts_with('-'))
            .unwrap();
        assert!(first_flag.contains(first), "{cmd}: {first_flag}");
        for tui in [
            "--mouse",
            "--clipboard",
            "--items-per-page",
            "--public-api-key <",
        ] {
            assert!(!help.contains(tui), "{cmd} --help shows {tui}");
        }
        assert!(help.contains("Every command also takes"), "{help}");
        assert!(!help.contains("--project-id"), "one spelling: {help}");
    }
    let o = home.run(&[], &["issue", "--help"]);
    assert!(o.out().contains("-u, --user <USER>") && o.out().contains("-m, --months"));
    let o = home.run(&[], &["sim", "--help"]);
    assert!(o.out().lines().count() < 80, "{}", o.out());
}

#[test]
fn config_show_honours_json() {
    let home = Home::new();
    let o = home.run(&[], &["--demo", "config", "show", "--json"]);
    let v = json(&o);
    assert_eq!(v["settings"]["base_url"]["source"], "--demo simulator");
    assert!(v["problems"].is_array());
    assert_eq!(
        v["settings"]["concurrency"]["value"], 20,
        "numbers as numbers"
    );
    assert_eq!(v["settings"]["mouse"]["value"], false);
    assert!(v["settings"]["project_id"]["value"].is_null());
    let o = home.run(&[], &["--demo", "config", "show"]);
    assert!(o.out().starts_with("profile "), "{}", o.out());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_refuses_what_the_real_run_refuses_and_os_errors_are_words() {
    use std::os::unix::fs::PermissionsExt;
    let h = sim().await;
    let home = Home::new();
    let open = home.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    for dry in [true, false] {
        let mut args = vec![
            "rotate",
            "-p",
            "orders-staging",
            "--out-dir",
            open.to_str().unwrap(),
        ];
        if dry {
            args.push("--dry-run");
        }
        let o = run_on_sim(&home, &h, &args);
        assert_eq!(o.code, 2, "dry run {dry}: {}", o.err());
        assert!(o.err().contains("open to every user"), "{}", o.err());
    }
    let o = run_on_sim(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--out-dir",
            "/nonexistent/keys",
            "--dry-run",
        ],
    );
    assert_eq!(o.code, 2);
    assert!(
        o.err().contains("/nonexistent/keys: no such directory"),
        "{}",
        o.err()
    );
    let o = home.run(
        &[],
        &[
            "--public-api-key",
            "abc",
            "--private-api-key-file",
            "/nonexistent/key",
            "projects",
        ],
    );
    assert!(!o.err().contains("os error"), "{}", o.err());
    assert!(
        o.err()
            .contains("/nonexistent/key: no such file or directory (check the path"),
        "{}",
        o.err()
    );
}
