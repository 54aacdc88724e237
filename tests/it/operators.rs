//! What operators of certbot, cert-manager and step-ca rely on, through the
//! real binary against the simulator: renewal by share of the lifetime,
//! the one-day refusal, the random delay, exit codes to alert on, and
//! metrics the real `promtool` accepts, however a run ends.

use crate::common;

use std::time::Duration;

use common::bin::{Home, Out};
use common::run_on_sim as run;
use common::*;
use serde_json::Value;

fn json(o: &Out) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", o.out()))
}

/// The metrics text through the real `promtool check metrics`.
fn promtool_accepts(text: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool is installed (.ci/run installs prometheus)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The value of the first sample of `name` whose labels contain `labels`.
fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .find(|l| l.contains(labels))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn renewal_by_share_of_the_lifetime_matches_the_arithmetic() {
    let h = sim().await;
    let home = Home::new();
    // Every user's newest certificate, then those with under a share left.
    let all = json(&run(
        &home,
        &h,
        &["expiring", "--all-projects", "--within", "3650d", "--json"],
    ));
    let now = jiff::Timestamp::now().as_second();
    for (share, num, den, due) in [
        ("1/3", 1, 3, vec!["fresh-service"]),
        ("95%", 95, 100, vec!["dev", "fresh-service", "svc.orders"]),
    ] {
        let got = json(&run(
            &home,
            &h,
            &[
                "expiring",
                "--all-projects",
                "--renew-before",
                share,
                "--json",
            ],
        ));
        let mut want: Vec<String> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(
                |r| match (r["createdAt"].as_str(), r["notAfter"].as_str()) {
                    (Some(c), Some(n)) => {
                        let c = c.parse::<jiff::Timestamp>().unwrap().as_second() + 3_600;
                        let n = n.parse::<jiff::Timestamp>().unwrap().as_second();
                        (n - now) * den < (n - c) * num
                    }
                    _ => true,
                },
            )
            .map(|r| r["username"].as_str().unwrap().to_string())
            .collect();
        let mut got: Vec<String> = got
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["username"].as_str().unwrap().to_string())
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{share}");
        assert_eq!(got, due, "{share}");
    }

    let o = run(
        &home,
        &h,
        &["expiring", "--all-projects", "--renew-before", "3/2"],
    );
    assert_eq!(o.code, 2);
    assert!(o.err().contains("below 1"), "{}", o.err());
    let o = run(
        &home,
        &h,
        &[
            "expiring",
            "--all-projects",
            "--renew-before",
            "1/3",
            "--within",
            "9d",
        ],
    );
    assert_eq!(o.code, 2, "one rule at a time");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_that_buys_nothing_is_refused_with_the_months_to_use() {
    let h = sim().await;
    let home = Home::new();
    let dir = home.private_dir("keys");
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "60d",
            "--months",
            "1",
            "--out-dir",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 4, "due and not rotated is not success: {}", o.err());
    assert!(
        o.err().contains("svc.orders in")
            && o.err()
                .contains("a 1-month certificate now would buy nothing")
            && o.err().contains("months or more (--months "),
        "{}",
        o.err()
    );
    assert!(h.issued().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_random_delay_is_bounded_and_skipped_on_a_terminal() {
    let h = sim().await;
    let home = Home::new();
    let o = run(
        &home,
        &h,
        &["expiring", "-p", "sandbox", "--random-delay", "1s"],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(o.err().contains("--random-delay up to 1 s"), "{}", o.err());
    // The bound itself is the unit test's; here, that the wait ends.
    assert!(o.elapsed < Duration::from_secs(30), "{:?}", o.elapsed);
    // On a terminal (a pty from script(1)), nobody waits.
    let env = api_key_env(&h);
    let exports: String = env.iter().map(|(k, v)| format!("{k}='{v}' ")).collect();
    let cmd = format!(
        "env {exports} HOME='{}' '{}' expiring -p sandbox --random-delay 1h",
        home.path().display(),
        env!("CARGO_BIN_EXE_atlas-x509")
    );
    let t0 = std::time::Instant::now();
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("script(1) from util-linux");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("--random-delay skipped: run from a terminal"),
        "{text}"
    );
    assert!(t0.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_for_alerting() {
    let h = sim().await;
    let home = Home::new();
    let dir = home.private_dir("keys");
    // sandbox's dev expires within 30 days: 6, an alert.
    let o = run(
        &home,
        &h,
        &["expiring", "-p", "sandbox", "--fail-within", "30d"],
    );
    assert_eq!(o.code, 6, "{}", o.err());
    assert!(o.err().contains("expires within 30 days"), "{}", o.err());
    let o = run(
        &home,
        &h,
        &["expiring", "-p", "sandbox", "--fail-within", "1d"],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    // orders-staging's fresh-service has no certificate at all: 6 too.
    let o = run(
        &home,
        &h,
        &["expiring", "-p", "orders-staging", "--fail-within", "1d"],
    );
    assert_eq!(o.code, 6);
    assert!(
        o.err().contains("MANAGED user has no certificate"),
        "{}",
        o.err()
    );
    // Nothing due, asked to say so: 7; not asked: 0.
    let d = dir.to_str().unwrap();
    let args = ["rotate", "-p", "sandbox", "--within", "1d", "--out-dir", d];
    assert_eq!(run(&home, &h, &args).code, 0);
    let mut asked = args.to_vec();
    asked.push("--nothing-due-exit");
    let o = run(&home, &h, &asked);
    assert_eq!(o.code, 7, "{}", o.err());
    assert!(o.err().contains("nothing was due"));
    // The table is in --help.
    let o = home.run(&[], &["rotate", "--help"]);
    for code in ["0 ", "1 ", "2 ", "3 ", "4 ", "5 ", "6 ", "7 ", "128+n"] {
        assert!(
            o.out().contains(&format!("\n  {code}")),
            "{code}: {}",
            o.out()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_pass_promtool_and_are_written_however_the_run_ends() {
    let h = sim().await;
    let home = Home::new();
    let o = run(
        &home,
        &h,
        &["expiring", "--all-projects", "--format", "prometheus"],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    promtool_accepts(&o.out());
    assert!(
        sample(
            &o.out(),
            "atlas_x509_user_newest_not_after_seconds",
            "user=\"fresh-service\""
        ) == Some(0.0)
    );
    assert_eq!(
        sample(&o.out(), "atlas_x509_user_due", "user=\"dev\""),
        Some(1.0),
        "{}",
        o.out()
    );

    let dir = home.private_dir("keys");
    let metrics = home.path().join("atlas_x509.prom");
    let m = metrics.to_str().unwrap();
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
            "--metrics",
            m,
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    let text = std::fs::read_to_string(&metrics).unwrap();
    promtool_accepts(&text);
    assert_eq!(
        sample(&text, "atlas_x509_rotate_users", "outcome=\"rotated\""),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "atlas_x509_rotate_users", "outcome=\"skipped\""),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "atlas_x509_rotate_last_exit_code", ""),
        Some(0.0)
    );
    let success = sample(
        &text,
        "atlas_x509_rotate_last_success_timestamp_seconds",
        "",
    )
    .unwrap();
    assert!(success > 0.0);
    let (_, _, serial) = h.issued()[0].clone();
    assert!(
        text.contains(&format!("serial=\"{serial}\"")),
        "the new certificate is listed: {text}"
    );

    // A run stopped by SIGTERM mid-request still writes its metrics, with
    // its exit code, and keeps the last success it did not replace.
    let before = count(&h, "GET", "groups");
    h.hold_answers();
    let e = api_key_env(&h);
    let child = home.spawn(
        &pairs(&e),
        &[
            "rotate",
            "--all-projects",
            "--within",
            "400d",
            "--months",
            "24",
            "--out-dir",
            d,
            "--metrics",
            m,
        ],
    );
    wait_until("a request held", || count(&h, "GET", "groups") > before);
    child.signal(libc::SIGTERM);
    h.release_answers();
    let out = child.wait();
    assert_eq!(out.code, 143, "{}", out.err());
    let text = std::fs::read_to_string(&metrics).unwrap();
    promtool_accepts(&text);
    assert_eq!(
        sample(&text, "atlas_x509_rotate_last_exit_code", ""),
        Some(143.0),
        "{}\n{text}",
        out.err()
    );
    assert_eq!(
        sample(
            &text,
            "atlas_x509_rotate_last_success_timestamp_seconds",
            ""
        ),
        Some(success),
        "the last success carried over"
    );
    assert!(
        std::fs::read_dir(home.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".tmp")),
        "written atomically: no temporary file left"
    );
}

/// A second run on the same directory is refused before it touches the
/// report or the metrics: they are the running run's.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_refused_by_the_lock_leaves_the_report_and_metrics_alone() {
    let h = sim().await;
    let home = Home::new();
    let dir = home.private_dir("keys");
    let (d, report, metrics) = (
        dir.to_str().unwrap().to_string(),
        home.path().join("report.json"),
        home.path().join("m.prom"),
    );
    let args = [
        "rotate",
        "-p",
        "orders-staging",
        "--within",
        "60d",
        "--out-dir",
        &d,
        "--report",
        report.to_str().unwrap(),
        "--metrics",
        metrics.to_str().unwrap(),
    ];
    let before = count(&h, "GET", "groups");
    h.hold_answers();
    let e = api_key_env(&h);
    let first = home.spawn(&pairs(&e), &args);
    wait_until("the first run's request", || {
        count(&h, "GET", "groups") > before
    });
    let running = std::fs::read_to_string(&report).unwrap();
    assert!(running.contains("\"running\""), "{running}");
    let second = run(&home, &h, &args);
    assert_eq!(second.code, 2, "{}", second.err());
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        running,
        "untouched"
    );
    assert!(!metrics.exists(), "no metrics from the refused run");
    h.release_answers();
    let out = first.wait();
    assert_eq!(out.code, 0, "{}", out.err());
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("\"completed\"")
    );
    promtool_accepts(&std::fs::read_to_string(&metrics).unwrap());
}
