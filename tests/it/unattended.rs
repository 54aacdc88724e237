//! Rotation run unattended, through the real binary against a simulator
//! whose answer to a POST is slow: signals mid-run (every key Atlas issued
//! is in a file, matched by serial), deploy hooks that succeed, fail, hang
//! and print hostile text, the run report, and reruns after a stop.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use atlas_sim::SimHandle;
use common::bin::{Home, Running};
use common::run_on_sim as run;
use common::*;
use serde_json::Value;

fn spawn(home: &Home, h: &SimHandle, args: &[&str]) -> Running {
    let e = api_key_env(h);
    home.spawn(&pairs(&e), args)
}

fn private_dir(home: &Home, name: &str) -> PathBuf {
    home.private_dir(name)
}

/// The .pem files in `dir`, by name.
fn pems(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pem"))
        .collect();
    v.sort();
    v
}

/// Every certificate the simulator issued has its key on disk (a file in
/// `dir`, or a rescue file), found by serial in the name and by content.
fn every_issued_key_is_on_disk(h: &SimHandle, home: &Home, dir: &Path) -> usize {
    let issued = h.issued();
    let mut files: Vec<PathBuf> = pems(dir).iter().map(|n| dir.join(n)).collect();
    files.extend(home.rescued());
    for (_, user, serial) in &issued {
        let hit = files.iter().find(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            text.contains("PRIVATE KEY")
                && atlas_client::inspect::verify(&atlas_client::IssuedPem::new(text))
                    .is_ok_and(|i| i.serial == *serial)
        });
        assert!(
            hit.is_some(),
            "serial {serial} of {user} was issued and its key is nowhere: {files:?}"
        );
    }
    issued.len()
}

fn rotate_args<'a>(dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = rotate_all("60d", dir, &["--months", "6"]);
    v.extend_from_slice(extra);
    v
}

fn report(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("the report is written")).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_signal_mid_post_keeps_every_issued_key_and_exits_128_plus_n() {
    let mut figures = vec![];
    for (sig, name, code) in [
        (libc::SIGTERM, "SIGTERM", 143),
        (libc::SIGINT, "SIGINT", 130),
        (libc::SIGHUP, "SIGHUP", 129),
        (libc::SIGQUIT, "SIGQUIT", 131),
    ] {
        let h = sim().await;
        // The first certificate is issued and its answer held: the signal
        // lands mid-answer by construction, not by a race with a clock.
        h.hold_answers();
        let home = Home::new();
        let dir = private_dir(&home, "keys");
        let rep = home.path().join("run.json");
        let d = dir.to_str().unwrap();
        let r = rep.to_str().unwrap();
        let child = spawn(&home, &h, &rotate_args(d, &["--report", r, "--json"]));
        wait_until("the first issuance", || !h.issued().is_empty());
        child.signal_delivered(sig);
        h.release_answers();
        let out = child.wait();
        out.assert_no_panic();
        assert_eq!(out.killed_by, None, "it exits by itself: {}", out.err());
        assert_eq!(out.code, code, "{}", out.err());
        assert!(
            out.err().contains(&format!("stopped by {name}")),
            "{}",
            out.err()
        );
        assert!(out.err().contains("key written:"), "{}", out.err());
        assert!(out.err().contains("not reached: "), "{}", out.err());
        // No POST after the signal: one issued, one key.
        assert_eq!(count(&h, "POST", "/certs"), 1);
        let issued = every_issued_key_is_on_disk(&h, &home, &dir);
        assert_eq!(issued, 1);
        assert_eq!(pems(&dir).len(), 1);
        let v = report(&rep);
        assert_eq!(v["outcome"], "interrupted");
        assert_eq!(v["signal"], name);
        assert_eq!(v["exitCode"], code);
        let statuses: Vec<&str> = v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["rotated", "not-reached"], "{v}");
        // stdout still holds the rows, as --json always does.
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rows.len(), 2);
        figures.push((name, issued, pems(&dir).len()));

        // Run again: only the user not reached is rotated, and it says so.
        let again = run(&home, &h, &rotate_args(d, &["--report", r]));
        assert_eq!(again.code, 0, "{}", again.err());
        assert!(
            again
                .err()
                .contains("this run rotates only the users it had not reached"),
            "{}",
            again.err()
        );
        assert!(again.err().contains(&format!("stopped by {name}")));
        assert_eq!(count(&h, "POST", "/certs"), 2, "one more, not two");
        assert_eq!(every_issued_key_is_on_disk(&h, &home, &dir), 2);
        assert_eq!(report(&rep)["outcome"], "completed");
        h.stop().await;
    }
    eprintln!("keys issued vs keys on disk per signal: {figures:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn more_signals_while_waiting_do_not_cut_the_key_and_a_third_gives_up() {
    let h = sim().await;
    // The answer is held until both signals are in: no clock decides
    // whether they land mid-answer.
    h.hold_answers();
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let d = dir.to_str().unwrap();
    let child = spawn(&home, &h, &rotate_args(d, &[]));
    wait_until("the first issuance", || !h.issued().is_empty());
    child.signal_delivered(libc::SIGTERM);
    // The program says it read the first before the second is sent: which
    // one it reads first is then its doing, not the scheduler's.
    child.wait_for_stderr("SIGTERM: waiting for Atlas's answer", 1);
    child.signal_delivered(libc::SIGINT);
    h.release_answers();
    let out = child.wait();
    assert_eq!(out.code, 143, "the first signal's code: {}", out.err());
    assert!(
        out.err().contains("waiting for Atlas's answer"),
        "{}",
        out.err()
    );
    assert_eq!(every_issued_key_is_on_disk(&h, &home, &dir), 1);

    // Three signals: the wait is given up, said so, and the next run knows.
    let h2 = sim().await;
    // Held for good: only the third signal ends the wait.
    h2.hold_answers();
    let home2 = Home::new();
    let dir2 = private_dir(&home2, "keys");
    let d2 = dir2.to_str().unwrap();
    let child = spawn(&home2, &h2, &rotate_args(d2, &[]));
    wait_until("the first issuance", || !h2.issued().is_empty());
    for n in 1..=3 {
        child.signal_delivered(libc::SIGTERM);
        if n < 3 {
            child.wait_for_stderr("waiting for Atlas's answer", n);
        }
    }
    let out = child.wait();
    h2.release_answers();
    assert_eq!(out.code, 143, "{}", out.err());
    assert!(out.err().contains("maybe-issued"), "{}", out.err());
    assert!(
        out.err().contains("(the next run rotates this user again)"),
        "said whole, not cut mid-sentence: {}",
        out.err()
    );
    assert!(pems(&dir2).is_empty());
    // The rerun finds the certificate nobody holds a key for, says so and
    // rotates that user again.
    let again = run(&home2, &h2, &rotate_args(d2, &[]));
    assert_eq!(again.code, 0, "{}", again.err());
    assert!(
        again.err().contains("nobody holds that key"),
        "{}",
        again.err()
    );
    let issued = h2.issued();
    let first = &issued[0];
    assert_eq!(
        issued.iter().filter(|(_, u, _)| u == &first.1).count(),
        2,
        "the keyless user is rotated again: {issued:?}"
    );
    let third = run(&home2, &h2, &rotate_args(d2, &[]));
    assert_eq!(third.code, 0, "{}", third.err());
    assert_eq!(h2.issued().len(), issued.len(), "nothing more to rotate");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_outright_is_finished_by_the_next() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let d = dir.to_str().unwrap();
    let rep = home.path().join("run.json");
    // A completed report from an earlier run is there: it must not be read
    // as this killed run's.
    let first = run(
        &home,
        &h,
        &rotate_args(d, &["--dry-run", "--report", rep.to_str().unwrap()]),
    );
    assert_eq!(first.code, 0, "{}", first.err());
    assert_eq!(report(&rep)["outcome"], "completed");
    // Killed while the first answer is held: never after it, whatever the load.
    h.hold_answers();
    let child = spawn(
        &home,
        &h,
        &rotate_args(d, &["--report", rep.to_str().unwrap()]),
    );
    wait_until("the first issuance", || !h.issued().is_empty());
    child.signal(libc::SIGKILL);
    let out = child.wait();
    h.release_answers();
    assert_eq!(out.killed_by, Some(libc::SIGKILL));
    let killed = report(&rep);
    assert_eq!(killed["outcome"], "running", "{killed}");
    assert_eq!(killed["finishedAt"], "", "{killed}");
    let again = run(&home, &h, &rotate_args(d, &["--json"]));
    assert_eq!(again.code, 0, "{}", again.err());
    assert!(again.err().contains("did not finish"), "{}", again.err());
    assert!(again.err().contains("nobody holds that key"));
    let rows: Vec<Value> = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(rows.len(), 2, "both users rotated: {rows:?}");
    // Three issued, the first keyless: the two that count have their keys.
    assert_eq!(h.issued().len(), 3);
    assert_eq!(pems(&dir).len(), 2);
    // And the run after that has nothing left to do.
    let third = run(&home, &h, &rotate_args(d, &[]));
    assert_eq!(third.code, 0, "{}", third.err());
    assert_eq!(h.issued().len(), 3, "{}", third.err());
    assert!(!third.err().contains("nobody holds"), "{}", third.err());
}

/// A hook script that records its environment and arguments.
fn recorder(home: &Home, body: &str) -> PathBuf {
    let p = home.path().join("hook.sh");
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_hook_gets_the_details_and_never_the_key_or_the_credentials() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let log = home.path().join("hook.log");
    let hook = recorder(
        &home,
        &format!(
            "{{ echo \"args=$#\"; env | grep -E '^(ATLAS_X509|MONGODB|MCLI)' | sort; echo ---; }} >> '{}'; printf 'reloaded %s from %s\\n' \"$ATLAS_X509_USERNAME\" \"$ATLAS_X509_PEM\"",
            log.display()
        ),
    );
    let rep = home.path().join("run.json");
    let d = dir.to_str().unwrap();
    let hook_cmd = format!("'{}'", hook.display());
    let out = run(
        &home,
        &h,
        &rotate_args(
            d,
            &[
                "--deploy-hook",
                &hook_cmd,
                "--hook-output",
                "--report",
                rep.to_str().unwrap(),
            ],
        ),
    );
    assert_eq!(out.code, 0, "{}", out.err());
    let text = std::fs::read_to_string(&log).unwrap();
    let runs: Vec<&str> = text.split("---").filter(|s| !s.trim().is_empty()).collect();
    assert_eq!(runs.len(), 2, "once per certificate written: {text}");
    for r in &runs {
        assert!(r.contains("args=0"), "{r}");
        for var in [
            "ATLAS_X509_PEM=",
            "ATLAS_X509_PROJECT_ID=",
            "ATLAS_X509_PROJECT_NAME=",
            "ATLAS_X509_USERNAME=",
            "ATLAS_X509_SERIAL=",
            "ATLAS_X509_NOT_AFTER=",
        ] {
            assert!(r.contains(var), "{var} missing: {r}");
        }
        assert!(!r.contains("PRIVATE"), "no credentials in a hook: {r}");
        assert!(!r.contains(&h.credentials.private_key));
        let pem_line = r
            .lines()
            .find(|l| l.starts_with("ATLAS_X509_PEM="))
            .unwrap();
        let path = &pem_line["ATLAS_X509_PEM=".len()..];
        assert!(Path::new(path).is_file(), "the file is in place first");
    }
    assert!(text.contains("ATLAS_X509_PROJECT_NAME=sandbox"), "{text}");
    let v = report(&rep);
    for u in v["users"].as_array().unwrap() {
        assert_eq!(u["hook"]["status"], "ok", "{u}");
        assert_eq!(u["hook"]["exitCode"], 0);
        // What the hook was handed comes back whole, however opaque the
        // file name looks: only secrets are redacted.
        let said = u["hook"]["output"].as_str().unwrap();
        let file = u["path"].as_str().unwrap();
        assert!(said.starts_with("reloaded "), "{said}");
        assert!(said.contains(file), "{said} names {file}");
        assert!(!said.contains("[redacted]"), "{said}");
    }
    assert!(out.out().contains("HOOK"), "{}", out.out());
}

#[tokio::test(flavor = "multi_thread")]
async fn failing_hanging_and_hostile_hooks_keep_the_files_and_say_delivered_partly() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let d = dir.to_str().unwrap();
    let rep = home.path().join("run.json");
    let r = rep.to_str().unwrap();

    // Fails, printing the key it was handed and terminal controls.
    let hostile = recorder(
        &home,
        "cat \"$ATLAS_X509_PEM\"; printf '\\033]52;c;AAAA\\007\\033[2Jgone\\n' >&2; exit 3",
    );
    let cmd = hostile.display().to_string();
    let out = run(
        &home,
        &h,
        &rotate_args(d, &["--deploy-hook", &cmd, "--report", r]),
    );
    assert_eq!(out.code, 5, "delivered partly: {}", out.err());
    assert!(out.err().contains("delivered partly"), "{}", out.err());
    assert!(out.err().contains("exit 3"), "{}", out.err());
    assert!(!out.err().contains('\u{1b}'), "escaped: {:?}", out.err());
    assert!(out.err().contains("\\e]52"), "{}", out.err());
    assert_eq!(pems(&dir).len(), 2, "the files stay");
    // The key's own lines, read here between its markers (not by the code
    // that looks for them).
    let keys: Vec<String> = pems(&dir)
        .iter()
        .flat_map(|n| {
            let text = std::fs::read_to_string(dir.join(n)).unwrap();
            text.lines()
                .skip_while(|l| !(l.starts_with("-----BEGIN") && l.contains("PRIVATE KEY")))
                .skip(1)
                .take_while(|l| !l.starts_with("-----END"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(keys.len() >= 2 * 3, "two keys of several lines: {keys:?}");
    let report_text = std::fs::read_to_string(&rep).unwrap();
    for k in &keys {
        assert!(!out.err().contains(k.as_str()), "a key line on stderr");
        assert!(
            !report_text.contains(k.as_str()),
            "a key line in the report"
        );
    }
    assert!(
        !report_text.contains("\"output\""),
        "no hook output in the report without --hook-output"
    );
    let v = report(&rep);
    assert_eq!(v["outcome"], "delivered-partly");
    assert_eq!(v["exitCode"], 5);

    // The next run (nothing is due) delivers them with a hook that works.
    let ok = recorder(&home, "echo ok");
    let cmd = ok.display().to_string();
    let again = run(
        &home,
        &h,
        &rotate_args(d, &["--deploy-hook", &cmd, "--report", r]),
    );
    assert_eq!(again.code, 0, "{}", again.err());
    let v = report(&rep);
    let earlier = v["earlierDeliveries"].as_array().unwrap();
    assert_eq!(earlier.len(), 2, "{v}");
    assert!(earlier.iter().all(|e| e["hook"]["status"] == "ok"));
    assert_eq!(count(&h, "POST", "/certs"), 2, "nothing issued again");

    // Hangs (with a child holding its pipes): stopped at the timeout.
    let h2 = sim().await;
    let home2 = Home::new();
    let dir2 = private_dir(&home2, "keys");
    let hang = recorder(&home2, "sleep 300 & sleep 300");
    let cmd = hang.display().to_string();
    let rep2 = home2.path().join("run.json");
    let started = Instant::now();
    let out = run(
        &home2,
        &h2,
        &rotate_args(
            dir2.to_str().unwrap(),
            &[
                "--deploy-hook",
                &cmd,
                "--deploy-hook-timeout",
                "1s",
                "--report",
                rep2.to_str().unwrap(),
            ],
        ),
    );
    assert_eq!(out.code, 5, "{}", out.err());
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "bounded by the timeout, not the hook's 300 s"
    );
    assert!(out.err().contains("timed-out"), "{}", out.err());
    let v = report(&rep2);
    assert!(
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["hook"]["status"] == "timed-out")
    );
    assert_eq!(pems(&dir2).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_runs_no_hook_and_names_it() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let marker = home.path().join("ran");
    let hook = recorder(&home, &format!("touch '{}'", marker.display()));
    let cmd = hook.display().to_string();
    let out = run(
        &home,
        &h,
        &rotate_args(dir.to_str().unwrap(), &["--deploy-hook", &cmd, "--dry-run"]),
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(!marker.exists(), "no hook in a dry run");
    assert!(out.err().contains("would run"), "{}", out.err());
    assert!(out.err().contains("no hook was run"));
    assert!(out.out().contains("would-run"), "{}", out.out());
    assert_eq!(count(&h, "POST", "/certs"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_is_written_when_the_run_fails_and_two_runs_never_share_a_directory() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let d = dir.to_str().unwrap();
    let rep = home.path().join("run.json");
    // A refused certificate: the run fails, the report says so.
    let out = run(
        &home,
        &h,
        &[
            "rotate",
            "--project",
            "0123456789abcdef01234567",
            "--out-dir",
            d,
            "--report",
            rep.to_str().unwrap(),
        ],
    );
    assert_ne!(out.code, 0);
    let v = report(&rep);
    assert_eq!(v["outcome"], "failed", "{v}");
    assert_eq!(v["exitCode"], out.code);
    // A second run while the first holds the directory (its answer held
    // until the second has been refused) is refused at once.
    h.hold_answers();
    let first = spawn(&home, &h, &rotate_args(d, &[]));
    wait_until("the first issuance", || !h.issued().is_empty());
    let second = run(&home, &h, &rotate_args(d, &[]));
    assert_eq!(second.code, 2, "{}", second.err());
    assert!(second.err().contains("another"), "{}", second.err());
    h.release_answers();
    let first = first.wait();
    assert_eq!(first.code, 0, "{}", first.err());
    assert_eq!(every_issued_key_is_on_disk(&h, &home, &dir), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_finishes_its_key_through_a_signal_and_runs_its_hook() {
    let h = sim().await;
    let home = Home::new();
    let out_path = home.path().join("svc.pem");
    let args = [
        "issue",
        "--project",
        ORDERS,
        "--user",
        "svc.orders",
        "--months",
        "3",
        "--out",
        out_path.to_str().unwrap(),
    ];
    h.hold_answers();
    let child = spawn(&home, &h, &args);
    wait_until("the issuance", || !h.issued().is_empty());
    child.signal_delivered(libc::SIGINT);
    // The answer comes only once the signal has been read mid-wait.
    child.wait_for_stderr("SIGINT: waiting for Atlas's answer", 1);
    h.release_answers();
    let out = child.wait();
    assert_eq!(out.code, 130, "{}", out.err());
    assert!(out.err().contains("was written to"), "{}", out.err());
    assert!(out_path.is_file());
    assert_eq!(every_issued_key_is_on_disk(&h, &home, home.path()), 1);

    // A hook with `-` has nothing to deliver.
    let e = run(
        &home,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "svc.orders",
            "--months",
            "3",
            "--out",
            "-",
            "--deploy-hook",
            "true",
        ],
    );
    assert_eq!(e.code, 2, "{}", e.err());
    // With a file: the hook runs; failing, it makes the code 5.
    let marker = home.path().join("delivered");
    let hook = recorder(
        &home,
        &format!("echo \"$ATLAS_X509_SERIAL\" > '{}'", marker.display()),
    );
    let cmd = hook.display().to_string();
    let second = home.path().join("svc2.pem");
    let ok = run(
        &home,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "svc.orders",
            "--months",
            "3",
            "--out",
            second.to_str().unwrap(),
            "--deploy-hook",
            &cmd,
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.err());
    let serial = std::fs::read_to_string(&marker).unwrap();
    assert_eq!(serial.trim(), h.issued()[1].2.to_string());
    let third = home.path().join("svc3.pem");
    let bad = run(
        &home,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "svc.orders",
            "--months",
            "3",
            "--out",
            third.to_str().unwrap(),
            "--deploy-hook",
            "false",
        ],
    );
    assert_eq!(bad.code, 5, "{}", bad.err());
    assert!(third.is_file(), "a failing hook does not lose the file");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_with_no_file_to_go_to_reaches_stdout_and_nothing_more_is_issued() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    // No rescue directory can be made: a file stands where it would be.
    let state = home.path().join("state/atlas-x509");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("rescue"), "").unwrap();
    h.hold_answers();
    let child = spawn(&home, &h, &rotate_args(dir.to_str().unwrap(), &[]));
    wait_until("the first issuance", || !h.issued().is_empty());
    // Gone while its answer is held: the key has no file.
    std::fs::rename(&dir, home.path().join("moved-away")).unwrap();
    h.release_answers();
    let out = child.wait();
    assert_eq!(out.code, 1, "{}", out.err());
    assert_eq!(
        count(&h, "POST", "/certs"),
        1,
        "nothing issued after: {}",
        out.err()
    );
    assert!(out.out().contains("PRIVATE KEY"), "the key reached stdout");
    assert!(out.err().contains("written to stdout"), "{}", out.err());
    assert!(out.err().contains("not-reached"), "{}", out.err());
    assert!(
        out.err().contains("is a file, not a directory"),
        "{}",
        out.err()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_cannot_dump_core() {
    let home = Home::new();
    let child = home.spawn(&[], &["sim"]);
    let limits = std::path::PathBuf::from(format!("/proc/{}/limits", child.pid));
    // Serving (its credentials printed) comes after the limit is set.
    child.wait_for_stdout("base_url", 1);
    let text = std::fs::read_to_string(&limits).unwrap();
    let core = text
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = core.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{core}");
    child.signal(libc::SIGQUIT);
    let out = child.wait();
    assert_eq!(out.killed_by, Some(libc::SIGQUIT));
    assert!(!home.path().join("core").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_never_replaces_a_key_or_a_file_it_did_not_write() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let d = dir.to_str().unwrap();
    let pem = "-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n";
    for (name, body, says) in [
        ("alice.pem", pem, "holds a private key"),
        (
            "notes.txt",
            "my notes\n",
            "is not a report atlas-x509 wrote",
        ),
        (
            "other.json",
            "{\"command\": \"deploy\"}",
            "is not a report atlas-x509 wrote",
        ),
    ] {
        let target = home.path().join(name);
        std::fs::write(&target, body).unwrap();
        let t = target.to_str().unwrap();
        let out = run(&home, &h, &rotate_args(d, &["--report", t]));
        assert_eq!(out.code, 2, "{name}: {}", out.err());
        assert!(out.err().contains(says), "{name}: {}", out.err());
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            body,
            "{name}: untouched"
        );
        assert_eq!(
            common::count(&h, "POST", "/certs"),
            0,
            "{name}: nothing issued"
        );
    }
    // An earlier report is replaced, as before.
    let rep = home.path().join("run.json");
    let r = rep.to_str().unwrap();
    let first = run(&home, &h, &rotate_args(d, &["--report", r, "--dry-run"]));
    assert_eq!(first.code, 0, "{}", first.err());
    let again = run(&home, &h, &rotate_args(d, &["--report", r, "--dry-run"]));
    assert_eq!(again.code, 0, "{}", again.err());
    assert_eq!(report(&rep)["command"], "rotate");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_record_naming_a_file_outside_the_out_dir_is_set_aside() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let victim = home.path().join("victim.txt");
    std::fs::write(&victim, "not a key\n").unwrap();
    let log = home.path().join("hook.log");
    let hook = recorder(
        &home,
        &format!("echo \"$ATLAS_X509_PEM\" >> '{}'", log.display()),
    );
    let future = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30)).to_string();
    let record = serde_json::json!({
        "version": 1,
        "run": {"startedAt": "2026-12-01T00:00:00Z", "pid": 999999, "finished": true},
        "entries": [{
            "projectId": common::ORDERS,
            "projectName": "orders-staging",
            "username": "alice",
            "requestedAt": "2026-12-01T00:00:00Z",
            "serial": 123,
            "notAfter": future,
            "file": dir.join("../victim.txt"),
            "hook": "failed"
        }]
    });
    let rec = dir.join(".atlas-x509-rotate.json");
    std::fs::write(&rec, serde_json::to_vec(&record).unwrap()).unwrap();
    std::fs::set_permissions(&rec, std::fs::Permissions::from_mode(0o600)).unwrap();
    let d = dir.to_str().unwrap();
    let hook_cmd = format!("'{}'", hook.display());
    let out = run(
        &home,
        &h,
        &rotate_args(d, &["--deploy-hook", &hook_cmd, "--json"]),
    );
    assert!(out.err().contains("set aside"), "{}", out.err());
    let called = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        !called.contains("victim"),
        "the hook was never pointed outside the out-dir: {called}"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "not a key\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_that_cannot_be_written_at_the_end_is_said_once() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let rep = home.path().join("run.json");
    // The hook puts another file where the report goes: the end refuses to
    // replace it, and says so once.
    let hook = recorder(&home, &format!("echo notes > '{}'", rep.display()));
    let d = dir.to_str().unwrap();
    let hook_cmd = format!("'{}'", hook.display());
    let out = run(
        &home,
        &h,
        &rotate_args(
            d,
            &[
                "--deploy-hook",
                &hook_cmd,
                "--report",
                rep.to_str().unwrap(),
            ],
        ),
    );
    assert_eq!(out.code, 1, "{}", out.err());
    assert_eq!(
        out.err().matches("the report could not be written").count(),
        1,
        "{}",
        out.err()
    );
    assert_eq!(std::fs::read_to_string(&rep).unwrap(), "notes\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn hook_output_is_kept_only_when_asked_and_then_without_key_material() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home, "keys");
    let d = dir.to_str().unwrap();
    let rep = home.path().join("run.json");
    // What `openssl pkey -text` prints of a private scalar, then what the
    // hook was handed.
    let hook = recorder(
        &home,
        "printf 'priv:\\n    00:c3:4f:9a:11:22:33:44:55:66:77:88:99:aa:bb:\\n    cc:dd\\n'; echo \"ATLAS_X509_SERIAL=$ATLAS_X509_SERIAL\"; echo \"ATLAS_X509_PROJECT_ID=$ATLAS_X509_PROJECT_ID\"",
    );
    let hook_cmd = format!("'{}'", hook.display());
    let out = run(
        &home,
        &h,
        &rotate_args(
            d,
            &[
                "--deploy-hook",
                &hook_cmd,
                "--hook-output",
                "--report",
                rep.to_str().unwrap(),
            ],
        ),
    );
    assert_eq!(out.code, 0, "{}", out.err());
    let v = report(&rep);
    for u in v["users"].as_array().unwrap() {
        let said = u["hook"]["output"].as_str().unwrap();
        assert!(!said.contains("c3:4f"), "{said}");
        assert!(said.contains("[hex redacted]"), "{said}");
        let serial = u["newSerial"].as_str().unwrap().to_string();
        assert!(
            said.contains(&format!("ATLAS_X509_SERIAL={serial}")),
            "what was handed comes back whole: {said}"
        );
        let project = u["projectId"].as_str().unwrap();
        assert!(
            said.contains(&format!("ATLAS_X509_PROJECT_ID={project}")),
            "{said}"
        );
    }
}
