//! Stable paths services can point at, through the real binary: the
//! `live/` links switched atomically and never dangling, `--split`,
//! `--prune` removing only expired files, rehearsed deploy hooks and the
//! failure hook.

use crate::common;

use std::path::{Path, PathBuf};

use common::bin::Home;
use common::run_on_sim as run;
use common::*;

/// A hook that records its environment (never the key) into `log`.
fn recorder(home: &Home, log: &Path) -> PathBuf {
    let script = home.path().join("record.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nenv | grep '^ATLAS_X509_' | sort >> '{}'\necho --- >> '{}'\n",
            log.display(),
            log.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Every link under `live/` resolves to a file in `dir`.
fn links(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut out = vec![];
    for p in std::fs::read_dir(dir.join("live")).unwrap() {
        for l in std::fs::read_dir(p.unwrap().path()).unwrap() {
            let l = l.unwrap().path();
            let target = std::fs::canonicalize(&l)
                .unwrap_or_else(|e| panic!("{} dangles: {e}", l.display()));
            assert_eq!(
                target.parent().unwrap(),
                std::fs::canonicalize(dir).unwrap()
            );
            out.push((l, target));
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_live_path_follows_the_newest_certificate() {
    let h = sim().await;
    let home = Home::new();
    let dir = home.private_dir("keys");
    let log = home.path().join("hook.log");
    let hook = recorder(&home, &log);
    let d = dir.to_str().unwrap();
    let args = [
        "rotate",
        "-p",
        "orders-staging",
        "--within",
        "60d",
        "--out-dir",
        d,
        "--split",
        "--deploy-hook",
        hook.to_str().unwrap(),
    ];
    let o = run(&home, &h, &args);
    assert_eq!(o.code, 0, "{}", o.err());
    let live = dir.join("live/orders-staging/svc.orders.pem");
    let first = std::fs::canonicalize(&live).unwrap();
    assert!(first.to_string_lossy().ends_with(".pem"));
    let got: Vec<String> = links(&dir)
        .iter()
        .map(|(l, _)| l.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(got, ["svc.orders.crt", "svc.orders.key", "svc.orders.pem"]);
    let crt = std::fs::read_to_string(dir.join("live/orders-staging/svc.orders.crt")).unwrap();
    assert!(crt.contains("BEGIN CERTIFICATE") && !crt.contains("PRIVATE KEY"));
    let env = std::fs::read_to_string(&log).unwrap();
    assert!(
        env.contains(&format!("ATLAS_X509_LIVE={}", live.display())),
        "hooks get the stable path: {env}"
    );
    assert!(!env.contains("PRIVATE"), "{env}");

    // Rotated again (a longer validity): the link moves, the old file stays.
    let again = [
        "rotate",
        "-p",
        "orders-staging",
        "--within",
        "400d",
        "--months",
        "24",
        "--out-dir",
        d,
        "--split",
    ];
    let o = run(&home, &h, &again);
    assert_eq!(o.code, 0, "{}", o.err());
    let second = std::fs::canonicalize(&live).unwrap();
    assert_ne!(first, second, "switched to the new serial");
    assert!(first.exists(), "the old file is kept until it expires");
    links(&dir);
    let json: serde_json::Value = serde_json::from_slice(
        &run(
            &home,
            &h,
            &[
                "rotate",
                "-p",
                "orders-staging",
                "--within",
                "1d",
                "--out-dir",
                d,
                "--json",
            ],
        )
        .stdout,
    )
    .unwrap();
    assert!(json.as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_removes_only_expired_files_no_link_points_at() {
    let h = sim().await;
    let home = Home::new();
    let dir = home.private_dir("keys");
    let d = dir.to_str().unwrap();
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "60d",
            "--out-dir",
            d,
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    // An expired certificate of an earlier run, with its split files; a
    // valid one; a file that is not ours; an expired one a link points at.
    let expired = pem_for("svc.orders", -2);
    for ext in ["pem", "crt", "key"] {
        std::fs::write(dir.join(format!("p-svc.orders-111.{ext}")), &expired).unwrap();
    }
    std::fs::write(dir.join("p-svc.orders-222.pem"), pem_for("svc.orders", 30)).unwrap();
    std::fs::write(dir.join("notes.pem"), &expired).unwrap();
    std::fs::write(dir.join("p-kept-333.pem"), &expired).unwrap();
    std::fs::create_dir_all(dir.join("live/other")).unwrap();
    std::os::unix::fs::symlink("../../p-kept-333.pem", dir.join("live/other/kept.pem")).unwrap();
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "1d",
            "--out-dir",
            d,
            "--prune",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    for ext in ["pem", "crt", "key"] {
        assert!(
            !dir.join(format!("p-svc.orders-111.{ext}")).exists(),
            "{ext}: {}",
            o.err()
        );
    }
    assert!(o.err().contains("pruned"), "{}", o.err());
    for kept in ["p-svc.orders-222.pem", "notes.pem", "p-kept-333.pem"] {
        assert!(dir.join(kept).exists(), "{kept} was kept");
    }
    links(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn hooks_can_be_rehearsed_and_failures_are_heard() {
    let h = sim().await;
    let home = Home::new();
    let dir = home.private_dir("keys");
    let d = dir.to_str().unwrap();
    let log = home.path().join("hook.log");
    let hook = recorder(&home, &log);
    // No live file yet: nothing to rehearse with, said per user.
    let rehearse = [
        "rotate",
        "-p",
        "orders-staging",
        "--within",
        "60d",
        "--out-dir",
        d,
        "--dry-run",
        "--run-hooks",
        "--deploy-hook",
        hook.to_str().unwrap(),
        "--json",
    ];
    let o = run(&home, &h, &rehearse);
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(o.out().contains("no live file"), "{}", o.out());
    assert!(!log.exists());
    run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "60d",
            "--out-dir",
            d,
        ],
    );
    let before = h.issued().len();
    // With a live file, the hook runs against it, told it is a rehearsal.
    let rehearse = [
        "rotate",
        "-p",
        "orders-staging",
        "--within",
        "400d",
        "--months",
        "24",
        "--out-dir",
        d,
        "--dry-run",
        "--run-hooks",
        "--deploy-hook",
        hook.to_str().unwrap(),
    ];
    let o = run(&home, &h, &rehearse);
    assert_eq!(o.code, 0, "{}", o.err());
    let env = std::fs::read_to_string(&log).unwrap();
    assert!(env.contains("ATLAS_X509_DRY_RUN=1"), "{env}");
    assert!(
        env.contains("ATLAS_X509_LIVE=") && env.contains("svc.orders.pem"),
        "{env}"
    );
    assert_eq!(h.issued().len(), before, "a rehearsal issues nothing");

    // A failing deploy hook: the failure hook hears it, with the reason.
    let flog = home.path().join("failure.log");
    let failure = recorder(&home, &flog);
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "400d",
            "--months",
            "24",
            "--out-dir",
            d,
            "--deploy-hook",
            "false",
            "--failure-hook",
            failure.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 5, "{}", o.err());
    let said = std::fs::read_to_string(&flog).unwrap();
    assert!(
        said.contains("ATLAS_X509_FAILURE=the deploy hook did not deliver"),
        "{said}"
    );
    assert!(said.contains("ATLAS_X509_USERNAME="), "{said}");
    assert!(!said.contains("PRIVATE"), "{said}");

    // Due but refused (a month that would be due again at once): the
    // failure hook hears it, and it is not "nothing was due".
    std::fs::remove_file(&flog).unwrap();
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "sandbox",
            "--within",
            "60d",
            "--out-dir",
            d,
            "--nothing-due-exit",
            "--failure-hook",
            failure.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 4, "refused, not nothing due: {}", o.err());
    let said = std::fs::read_to_string(&flog).unwrap();
    assert!(
        said.contains("ATLAS_X509_FAILURE=due but not rotated:"),
        "{said}"
    );
    assert!(said.contains("ATLAS_X509_USERNAME=dev"), "{said}");

    // A hook that is not there is found out before anything is issued.
    let before = h.issued().len();
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "400d",
            "--out-dir",
            d,
            "--deploy-hook",
            "/nonexistent/hook",
        ],
    );
    assert_eq!(o.code, 2, "{}", o.err());
    assert!(o.err().contains("not an executable file"), "{}", o.err());
    assert_eq!(h.issued().len(), before, "nothing issued");

    // The run itself failing (an unknown project name): heard once.
    std::fs::remove_file(&flog).unwrap();
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "nope",
            "--out-dir",
            d,
            "--failure-hook",
            failure.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 2);
    let said = std::fs::read_to_string(&flog).unwrap();
    assert_eq!(said.matches("---").count(), 1, "{said}");
    assert!(
        said.contains("ATLAS_X509_FAILURE=the run failed: no project named"),
        "{said}"
    );
}
