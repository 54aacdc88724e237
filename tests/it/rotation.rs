//! Rotation and the X.509 lifecycle through the real binary against the
//! simulator: `rotate`, `expiring --all-projects`, `create-user`,
//! `enable-customer-x509`.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::bin::{Home, Out};
use common::run_on_sim as run;
use common::*;
use serde_json::Value;

fn private_dir(home: &Home) -> std::path::PathBuf {
    home.private_dir("keys")
}

/// Every file but rotate's own record and lock (temporary files count).
fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".atlas-x509-rotate.") && n != "live")
        .collect();
    v.sort();
    v
}

/// Runs the binary with the simulator's next certificate answer held
/// until `meanwhile` has run: what it does to the files happens after the
/// binary's checks and before the key arrives, whatever the load.
fn run_holding_the_answer(
    home: &Home,
    h: &atlas_sim::SimHandle,
    args: &[&str],
    meanwhile: impl FnOnce(),
) -> Out {
    let before = h.issued().len();
    h.hold_answers();
    let e = api_key_env(h);
    let e = pairs(&e);
    let child = home.spawn(&e, args);
    wait_until("a certificate asked for", || h.issued().len() > before);
    meanwhile();
    h.release_answers();
    let out = child.wait();
    out.assert_no_panic();
    out
}

/// Renames `dir` away: writable at the binary's check, gone when its key
/// arrives (modes would not stop root).
fn move_away(home: &Home, dir: &Path) -> std::path::PathBuf {
    let gone = home.path().join("moved-away");
    std::fs::rename(dir, &gone).unwrap();
    gone
}

/// Puts a link to `open` where `dir` was.
fn swap_for_link(dir: &Path, open: &Path) {
    std::fs::rename(dir, dir.with_file_name("checked")).unwrap();
    std::os::unix::fs::symlink(open, dir).unwrap();
}

fn posts(h: &atlas_sim::SimHandle) -> usize {
    count(h, "POST", "/certs")
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_issues_once_per_due_user_and_a_second_run_issues_nothing() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home);
    let d = dir.to_str().unwrap();

    // A dry run shows the plan and issues nothing.
    let plan = run(&home, &h, &rotate_all("60d", d, &["--dry-run", "--json"]));
    assert_eq!(plan.code, 0, "{}", plan.err());
    let planned: Vec<Value> = serde_json::from_slice(&plan.stdout).unwrap();
    let users: Vec<&str> = planned
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert!(users.contains(&"svc.orders"), "{users:?}");
    // dev's certificates last a month: a replacement would be due at once.
    assert!(!users.contains(&"dev"), "{users:?}");
    assert!(
        plan.err().contains("dev in") && plan.err().contains("1-month"),
        "{}",
        plan.err()
    );
    assert!(
        !users.contains(&"alice"),
        "alice's newest certificate is a year away"
    );
    assert!(
        !users.contains(&"billing-svc"),
        "payments-prod has a customer CA"
    );
    assert!(
        plan.err().contains("customer-managed X.509"),
        "{}",
        plan.err()
    );
    assert!(
        plan.err().contains("fresh-service"),
        "a user with nothing to rotate is named"
    );
    assert_eq!(posts(&h), 0);
    let svc = planned
        .iter()
        .find(|r| r["username"] == "svc.orders")
        .unwrap();
    assert_eq!(
        svc["months"], 3,
        "the same validity as the certificate replaced"
    );

    let rotate = rotate_all("60d", d, &["--months", "3", "--json"]);
    let out = run(&home, &h, &rotate);
    assert_eq!(out.code, 0, "{}", out.err());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), planned.len() + 1, "dev too, with --months 3");
    assert_eq!(posts(&h), rows.len(), "one issue per due user");
    // The names written out: a user's name is kept where a file name
    // can hold it (`svc.orders` keeps its dot).
    let names: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["dev", "svc.orders"].into_iter().collect(),
        "the users due"
    );
    for r in &rows {
        assert_eq!(r["status"], "rotated", "{r}");
        let path = Path::new(r["path"].as_str().unwrap());
        let want = format!(
            "{}-{}-{}.pem",
            r["projectId"].as_str().unwrap(),
            match r["username"].as_str().unwrap() {
                "svc.orders" => "svc.orders",
                "dev" => "dev",
                other => panic!("{other} was not due"),
            },
            r["newSerial"].as_str().unwrap()
        );
        assert_eq!(path.file_name().unwrap().to_str().unwrap(), want);
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let pem = std::fs::read_to_string(path).unwrap();
        assert!(pem.contains("BEGIN CERTIFICATE") && pem.contains("PRIVATE KEY"));
    }
    assert_eq!(files(&dir).len(), rows.len(), "no temporary files left");

    // Within the same window, everything due was just rotated.
    let again = run(&home, &h, &rotate[..rotate.len() - 1]);
    assert_eq!(again.code, 0, "{}", again.err());
    assert_eq!(posts(&h), rows.len(), "nothing issued twice");
    assert!(again.err().contains("rotated 0 of 0"), "{}", again.err());
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_refuses_an_open_or_missing_directory_before_issuing() {
    let h = sim().await;
    let home = Home::new();
    let open = home.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(
        &home,
        &h,
        &[
            "rotate",
            "--project",
            SANDBOX,
            "--out-dir",
            open.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 2);
    assert!(out.err().contains("open to every user"), "{}", out.err());
    let missing = home.path().join("missing");
    let out = run(
        &home,
        &h,
        &[
            "rotate",
            "--project",
            SANDBOX,
            "--out-dir",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 2);
    assert_eq!(posts(&h), 0);
    assert_eq!(count(&h, "GET", "/groups"), 0, "refused before any call");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_out_dir_swapped_for_a_link_to_an_open_directory_gets_no_key() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home);
    let open = home.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = run_holding_the_answer(
        &home,
        &h,
        &rotate_all("400d", dir.to_str().unwrap(), &["--months", "24", "--json"]),
        || swap_for_link(&dir, &open),
    );
    assert_eq!(out.code, 1, "{}", out.err());
    assert!(out.err().contains("moved or replaced"), "{}", out.err());
    assert_eq!(files(&open).len(), 0, "no key in the swapped-in directory");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let status: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(
        status,
        ["failed", "not-reached", "not-reached"],
        "{}",
        out.err()
    );
    assert_eq!(posts(&h), 1, "nothing more is issued");
    assert_eq!(home.rescued().len(), 1, "the one key is kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_that_fails_keeps_the_key_in_the_rescue_file() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home);
    let out_dir = dir.to_str().unwrap().to_string();
    let mut gone = std::path::PathBuf::new();
    let out = run_holding_the_answer(
        &home,
        &h,
        &[
            "rotate",
            "--project",
            SANDBOX,
            // dev's 1-month certificate ends in 27 to 30 days whatever
            // the month; 2 months outlive the window.
            "--within",
            "31d",
            "--months",
            "2",
            "--out-dir",
            &out_dir,
            "--json",
        ],
        || gone = move_away(&home, &dir),
    );
    assert_eq!(
        out.code,
        1,
        "{}\n{}",
        out.err(),
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.err().contains("kept in"), "{}", out.err());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "failed");
    let rescued = home.rescued();
    assert_eq!(rescued.len(), 1, "the key was kept");
    assert_eq!(
        std::fs::metadata(&rescued[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        std::fs::read_to_string(&rescued[0])
            .unwrap()
            .contains("PRIVATE KEY")
    );
    assert_eq!(
        files(&gone).len(),
        0,
        "nothing half-written in the old directory"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expiring_across_projects_names_each_project() {
    let h = sim().await;
    let home = Home::new();
    let out = run(
        &home,
        &h,
        &["expiring", "--all-projects", "--within", "60d", "--json"],
    );
    assert_eq!(out.code, 0, "{}", out.err());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let projects: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r["projectId"].as_str().unwrap())
        .collect();
    assert!(
        projects.contains(ORDERS) && projects.contains(SANDBOX),
        "{projects:?}"
    );
    let table = run(
        &home,
        &h,
        &["expiring", "--all-projects", "--within", "60d"],
    );
    assert!(table.out().starts_with("PROJECT"), "{}", table.out());
}

#[tokio::test(flavor = "multi_thread")]
async fn create_a_managed_user_then_issue_to_it() {
    let h = sim().await;
    let home = Home::new();
    let out = run(
        &home,
        &h,
        &[
            "create-user",
            "--project",
            ORDERS,
            "--username",
            "svc-billing",
            "--x509",
            "managed",
            "--role",
            "readWrite@billing",
            "--role",
            "clusterMonitor",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(
        out.out()
            .contains("created MANAGED X.509 user svc-billing on $external"),
        "{}",
        out.out()
    );
    assert!(
        out.out().contains("atlas-x509 issue --project"),
        "the next step is offered"
    );
    let users = run(&home, &h, &["users", "--project", ORDERS, "--json"]);
    let users: Vec<Value> = serde_json::from_slice(&users.stdout).unwrap();
    let made = users
        .iter()
        .find(|u| u["username"] == "svc-billing")
        .unwrap();
    assert_eq!(made["x509Type"], "MANAGED");
    assert_eq!(
        made["roles"],
        serde_json::json!(["readWrite@billing", "clusterMonitor@admin"])
    );

    let dup = run(
        &home,
        &h,
        &[
            "create-user",
            "--project",
            ORDERS,
            "--username",
            "svc-billing",
            "--x509",
            "managed",
            "--role",
            "read@x",
        ],
    );
    assert_eq!(dup.code, 1);
    assert!(dup.err().contains("USER_ALREADY_EXISTS"), "{}", dup.err());
    let bad = run(
        &home,
        &h,
        &[
            "create-user",
            "--project",
            ORDERS,
            "--username",
            "x",
            "--x509",
            "managed",
            "--role",
            "readWrite",
        ],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.err().contains("needs a database"), "{}", bad.err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_ca_is_shown_confirmed_and_uploaded() {
    let h = sim().await;
    let home = Home::new();
    let ca = common::fixtures::ca_pem("Acme Root CA");
    let file = home.path().join("ca.pem");
    std::fs::write(&file, &ca).unwrap();
    let f = file.to_str().unwrap();
    // No terminal and no --yes: refused, nothing sent.
    let out = run(
        &home,
        &h,
        &["enable-customer-x509", "--project", SANDBOX, "--cas", f],
    );
    assert_eq!(out.code, 2, "{}", out.err());
    assert!(
        out.err().contains("CN=Acme Root CA"),
        "shown before asking: {}",
        out.err()
    );
    assert_eq!(count(&h, "PATCH", "/userSecurity"), 0);

    let out = run(
        &home,
        &h,
        &[
            "enable-customer-x509",
            "--project",
            SANDBOX,
            "--cas",
            f,
            "--yes",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.err());
    let sec = run(&home, &h, &["security", "--project", SANDBOX, "--json"]);
    let sec: Value = serde_json::from_slice(&sec.stdout).unwrap();
    assert_eq!(sec["customerX509"]["configured"], true);
    let issue = run(
        &home,
        &h,
        &[
            "issue",
            "--project",
            SANDBOX,
            "--user",
            "dev",
            "--months",
            "1",
            "--out",
            "-",
        ],
    );
    assert_eq!(issue.code, 1);
    assert!(
        issue
            .err()
            .contains("CANNOT_GENERATE_CERT_IF_ADVANCED_X509"),
        "{}",
        issue.err()
    );

    // A private key by mistake is refused locally, never sent.
    std::fs::write(
        &file,
        format!("{ca}-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
    )
    .unwrap();
    let out = run(
        &home,
        &h,
        &[
            "enable-customer-x509",
            "--project",
            ORDERS,
            "--cas",
            f,
            "--yes",
        ],
    );
    assert_eq!(out.code, 2);
    assert!(out.err().contains("private key") && !out.err().contains("AAAA"));
    assert_eq!(count(&h, "PATCH", "/userSecurity"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_into_a_directory_that_vanishes_keeps_the_key_not_a_stray_file() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home);
    let d = dir.to_str().unwrap().to_string();
    let ok = run(
        &home,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "1",
            "--out",
            &d,
            "--json",
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.err());
    let v: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(
        Path::new(v["path"].as_str().unwrap()).parent().unwrap(),
        dir.as_path(),
        "named inside the directory"
    );
    let out = run_holding_the_answer(
        &home,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "1",
            "--out",
            &d,
        ],
        || {
            move_away(&home, &dir);
        },
    );
    assert_eq!(out.code, 1, "{}", out.err());
    assert!(
        !dir.exists(),
        "no file was written in the directory's place"
    );
    assert_eq!(home.rescued().len(), 1, "the key was kept: {}", out.err());

    // A file named in a directory swapped for a link to an open one while
    // the request is out: nothing goes through the link.
    let dir = private_dir(&home);
    let open = home.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let file = dir.join("alice.pem");
    let out = run_holding_the_answer(
        &home,
        &h,
        &[
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "1",
            "--out",
            file.to_str().unwrap(),
        ],
        || swap_for_link(&dir, &open),
    );
    assert_eq!(out.code, 1, "{}", out.err());
    assert!(out.err().contains("moved or replaced"), "{}", out.err());
    assert_eq!(files(&open).len(), 0, "no key in the swapped-in directory");
    assert_eq!(home.rescued().len(), 2, "the key was kept: {}", out.err());
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_parsed_certificates_are_uploaded_and_a_fifo_is_refused() {
    let h = sim().await;
    let home = Home::new();
    let ca = common::fixtures::ca_pem("Acme Root CA");
    let file = home.path().join("ca.pem");
    // What exports leave around the blocks: never for Atlas.
    std::fs::write(
        &file,
        format!(
            "Bag Attributes\n    friendlyName: acme\n    password=hunter2\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n{ca}trailing notes\n"
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let args = [
        "enable-customer-x509",
        "--project",
        SANDBOX,
        "--cas",
        f,
        "--yes",
    ];
    let out = run(&home, &h, &args);
    assert_eq!(out.code, 0, "{}", out.err());
    let sec = run(&home, &h, &["security", "--project", SANDBOX, "--json"]);
    let text = sec.out();
    assert!(text.contains("BEGIN CERTIFICATE"), "{text}");
    for leak in [
        "hunter2",
        "Bag Attributes",
        "MIIEvQIBADAN",
        "trailing notes",
    ] {
        assert!(!text.contains(leak), "{leak} was uploaded: {text}");
    }

    // A FIFO nobody writes to is refused at once, not waited on.
    let fifo = home.path().join("ca.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let started = std::time::Instant::now();
    let out = run(
        &home,
        &h,
        &[
            "enable-customer-x509",
            "--project",
            ORDERS,
            "--cas",
            fifo.to_str().unwrap(),
            "--yes",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.err());
    assert!(out.err().contains("not a regular file"), "{}", out.err());
    // Only a hang (an open that waits for a writer) is caught by time.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[tokio::test(flavor = "multi_thread")]
async fn create_user_refuses_names_that_are_not_what_the_kind_takes() {
    let h = sim().await;
    let home = Home::new();
    for (kind, name) in [
        ("managed", "CN=bob,OU=admin,O=evil"),
        ("managed", "bob,CN=admin"),
        ("managed", "CN="),
        ("customer", "bob"),
        // Not RFC 4514: a dangling escape, an unescaped ';', an escaped NUL.
        ("customer", "CN=bob\\"),
        ("customer", "CN=bob;OU=eng"),
        ("customer", "CN=a\\00b"),
    ] {
        let out = run(
            &home,
            &h,
            &[
                "create-user",
                "--project",
                ORDERS,
                "--username",
                name,
                "--x509",
                kind,
                "--role",
                "read@app",
            ],
        );
        assert_eq!(out.code, 2, "{kind} {name}: {}", out.err());
        assert!(out.err().contains("nothing was sent"), "{}", out.err());
    }
    let out = run(
        &home,
        &h,
        &[
            "create-user",
            "--project",
            ORDERS,
            "--username",
            "ok-user",
            "--x509",
            "managed",
            "--role",
            "read@app\u{1b}[2J",
        ],
    );
    assert_eq!(out.code, 2, "{}", out.err());
    assert_eq!(count(&h, "POST", "/databaseUsers"), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_429_on_a_creation_the_next_user_waits_for_retry_after() {
    // Each creation closes the window for 3 s (twice what any creation
    // here takes on a loaded machine): the second user's request is refused
    // (and never retried); the third waits, then gets its own.
    let h = sim_with(|c| c.issue_cooldown = std::time::Duration::from_millis(3_000)).await;
    let home = Home::new();
    let dir = private_dir(&home);
    let started = std::time::Instant::now();
    let out = run(
        &home,
        &h,
        &rotate_all("400d", dir.to_str().unwrap(), &["--months", "24", "--json"]),
    );
    let took = started.elapsed();
    assert_eq!(out.code, 1, "{}", out.err());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let status: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(status, ["rotated", "failed", "rotated"], "{}", out.err());
    assert!(
        rows[1]["message"]
            .as_str()
            .unwrap()
            .contains("RATE_LIMITED"),
        "{rows:?}"
    );
    // Retry-After is what was left of the window when the second asked.
    assert!(
        ["waiting 1 s", "waiting 2 s", "waiting 3 s"]
            .iter()
            .any(|w| out.err().contains(w)),
        "{}",
        out.err()
    );
    assert_eq!(posts(&h), 3, "the refused creation was not retried");
    assert!(took >= std::time::Duration::from_millis(3_000), "{took:?}");
    assert_eq!(files(&dir).len(), 2);
}

/// `expiring` and `rotate` read the organisation through one scan and give
/// it one meaning: each MANAGED user's newest certificate; a customer-CA
/// project is skipped by both, and said once.
#[tokio::test(flavor = "multi_thread")]
async fn expiring_and_rotate_agree_on_what_is_due() {
    let h = sim().await;
    let home = Home::new();
    let dir = private_dir(&home);
    let soon = run(
        &home,
        &h,
        &["expiring", "--all-projects", "--within", "60d", "--json"],
    );
    assert_eq!(soon.code, 0, "{}", soon.err());
    let soon: Vec<Value> = serde_json::from_slice(&soon.stdout).unwrap();
    let plan = run(
        &home,
        &h,
        &rotate_all("60d", dir.to_str().unwrap(), &["--dry-run", "--json"]),
    );
    assert_eq!(plan.code, 0, "{}", plan.err());
    let planned: Vec<Value> = serde_json::from_slice(&plan.stdout).unwrap();
    let key = |p: &Value, u: &Value, s: &Value| {
        (
            p.as_str().unwrap().to_string(),
            u.as_str().unwrap().to_string(),
            s.as_u64(),
        )
    };
    let due: std::collections::BTreeSet<_> = soon
        .iter()
        .filter(|r| !r["_id"].is_null())
        .map(|r| key(&r["projectId"], &r["username"], &r["serial"]))
        .collect();
    let rotating: std::collections::BTreeSet<_> = planned
        .iter()
        .map(|r| key(&r["projectId"], &r["username"], &r["oldSerial"]))
        .collect();
    assert!(!rotating.is_empty());
    assert!(
        rotating.is_subset(&due),
        "rotate acts on what expiring lists: {rotating:?} vs {due:?}"
    );
    // What expiring lists and rotate leaves is each said on rotate's stderr
    // (a replacement that would itself be due at once).
    for (_, user, _) in due.difference(&rotating) {
        assert!(
            plan.err().contains(&format!("{user} in")),
            "{user}: {}",
            plan.err()
        );
    }
    // The customer-CA project's users are in neither, and it is named once.
    for (what, out) in [("expiring", &soon), ("rotate", &planned)] {
        assert!(
            out.iter().all(|r| r["username"] != "billing-svc"),
            "{what}: {out:?}"
        );
    }
    let again = run(
        &home,
        &h,
        &["expiring", "--all-projects", "--within", "60d"],
    );
    for project in ["payments-prod", "analytics-eu"] {
        assert_eq!(
            again
                .err()
                .lines()
                .filter(|l| l.contains(project) && l.contains("customer-managed X.509"))
                .count(),
            1,
            "{project}: {}",
            again.err()
        );
    }
}
