//! Faults, as a hostile or broken Atlas, a full disk and a closed pipe would
//! cause them, against the real binary. Each case reads as a sentence and
//! checks the exit code, the message, the requests made (exactly one POST
//! per issue) and, where it matters, peak memory.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::bin::{Home, Out, Stdout};
use common::hostile::{self, Hostile, Reply, atlas_error, json, projects_page, response};
use common::pem_for;
use serde_json::json;

const PROJECT: &str = "65f1a2b3c4d5e6f708192a3c";
const SECRET: &str = "0a1b2c3d-hostile-private-key-4e5f";

fn env(h: &Hostile) -> Vec<(&'static str, String)> {
    vec![
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url.clone()),
        ("MONGODB_ATLAS_PUBLIC_API_KEY", "hostilepub".into()),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", SECRET.into()),
    ]
}

fn run(home: &Home, h: &Hostile, args: &[&str]) -> Out {
    run_to(home, h, args, Stdout::Piped)
}

fn run_to(home: &Home, h: &Hostile, args: &[&str], stdout: Stdout) -> Out {
    let env = env(h);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    home.run_with(&env, args, stdout)
}

/// Bytes a terminal would act on: ESC, BEL, other C0 but newline and tab,
/// DEL, and C1 (UTF-8 encoded).
fn steers_a_terminal(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// A certificate and its key, shaped like Atlas's (63-bit serial, three
/// months from an hour ago).
fn good_pem() -> String {
    pem_for("alice", 91)
}

/// The one rescue file a failed hand-over leaves, holding the key.
fn one_rescued_key(home: &Home, o: &Out) -> Vec<std::path::PathBuf> {
    let rescued = home.rescued();
    assert_eq!(rescued.len(), 1, "{}", o.err());
    assert!(
        std::fs::read_to_string(&rescued[0])
            .unwrap()
            .contains("PRIVATE KEY")
    );
    rescued
}

fn issue_args(out: &str) -> Vec<&str> {
    vec![
        "issue",
        "--project",
        PROJECT,
        "--user",
        "alice",
        "--months",
        "3",
        "--out",
        out,
    ]
}

// ---- lists the server never ends --------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_uncounted_list_stops_at_the_item_bound_with_exit_1() {
    let h = hostile::start(|r| {
        let n = u64::from(r.per_page());
        let start = u64::from(r.page_num() - 1) * n;
        json(200, &projects_page(start, n, json!(0)))
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects", "--json"]);
    o.assert_no_panic();
    assert_eq!(o.code, 1, "{}", o.err());
    assert!(
        o.err().contains("100000") && o.err().contains("--max-items"),
        "{}",
        o.err()
    );
    assert!(o.stdout.is_empty(), "no silent truncation: nothing printed");
    assert!(
        h.count("GET", "/groups") <= 202,
        "{}",
        h.count("GET", "/groups")
    );
    assert!(o.peak_rss_kib < 400 * 1024, "peak {} KiB", o.peak_rss_kib);
    println!("endless list: peak RSS {} KiB", o.peak_rss_kib);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_bound_is_a_flag_and_names_itself() {
    let h = hostile::start(|r| {
        let n = u64::from(r.per_page());
        json(
            200,
            &projects_page(u64::from(r.page_num()) * n, n, json!(null)),
        )
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects", "--max-pages", "3"]);
    assert_eq!(o.code, 1, "{}", o.err());
    assert!(
        o.err().contains("3 pages") && o.err().contains("--max-pages"),
        "{}",
        o.err()
    );
    assert_eq!(h.count("GET", "/groups"), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_count_that_lies_high_is_refused_after_one_request() {
    let h = hostile::start(|r| {
        json(
            200,
            &projects_page(0, u64::from(r.per_page()), json!(4_123_168_605_000u64)),
        )
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects"]);
    assert_eq!(o.code, 1, "{}", o.err());
    assert!(o.err().contains("--max-items"), "{}", o.err());
    assert_eq!(h.count("GET", "/groups"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_count_that_lies_low_reads_only_the_pages_it_names() {
    let h = hostile::start(|r| {
        let n = u64::from(r.per_page());
        json(
            200,
            &projects_page(u64::from(r.page_num() - 1) * n, n, json!(1000)),
        )
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects", "--json"]);
    assert_eq!(o.code, 0, "{}", o.err());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1000);
    assert_eq!(
        h.count("GET", "/groups"),
        2,
        "1000 at 500 a page: no page 3"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_larger_than_asked_or_a_huge_body_is_refused() {
    let h = hostile::start(|r| match r.path().ends_with("/groups") {
        true => json(200, &projects_page(0, 501, json!(501))),
        false => Reply::Raw(response(
            200,
            &[("Content-Length", "200000000")],
            &[b' '; 4096],
        )),
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects"]);
    assert_eq!(o.code, 1);
    assert!(o.err().contains("501 items for 500 asked"), "{}", o.err());
    let o = run(&home, &h, &["users", "--project", PROJECT]);
    assert_eq!(o.code, 1);
    assert!(o.err().contains("larger than 16 MiB"), "{}", o.err());
    assert!(o.peak_rss_kib < 100 * 1024, "peak {} KiB", o.peak_rss_kib);
}

// ---- numbers, dates and bodies that could panic -----------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_never_expires_does_not_panic() {
    let h = hostile::start(|r| {
        if r.path() == "/api/oauth/token" {
            json(
                200,
                r#"{"access_token":"tok","expires_in":18446744073709551615,"token_type":"Bearer"}"#,
            )
        } else {
            json(200, &projects_page(0, 2, json!(2)))
        }
    })
    .await;
    let home = Home::new();
    let env = [
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url.as_str()),
        ("MONGODB_ATLAS_CLIENT_ID", "mdb_sa_id_x"),
        ("MONGODB_ATLAS_CLIENT_SECRET", "mdb_sa_sk_secret"),
    ];
    let o = home.run(&env, &["projects"]);
    o.assert_no_panic();
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(o.out().contains("p1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_expiry_dates_and_serials_at_the_edge_decode() {
    let h = hostile::start(|_| {
        json(
            200,
            r#"{"results":[{"_id":18446744073709551615,"createdAt":"2025-06-30T04:09:32Z","notAfter":"9999-12-31T23:59:59Z","subject":"CN=alice"}],"totalCount":-3}"#,
        )
    })
    .await;
    let home = Home::new();
    let o = run(
        &home,
        &h,
        &["certs", "--project", PROJECT, "--user", "alice", "--json"],
    );
    o.assert_no_panic();
    assert_eq!(o.code, 0, "{}", o.err());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["results"][0]["_id"].as_u64(), Some(u64::MAX));
    assert!(
        v["results"][0]["notAfter"]
            .as_str()
            .unwrap()
            .starts_with("9999-")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_bodies_give_a_clear_error_never_a_panic() {
    let bodies: &[(u16, &str)] = &[
        (200, ""),
        (200, "<html><body>502 Bad Gateway</body></html>"),
        (200, r#"{"results":[{"_id":1,"createdAt":"2025-06-"#),
        (
            200,
            r#"{"results":[{"_id":-1,"createdAt":"x","notAfter":"y"}]}"#,
        ),
        (200, r#"{"results":"not a list"}"#),
        (200, r#"{"results":[{"_id":1e400}]}"#),
        (500, "\u{0}\u{1b}[31m"),
        (404, r#"{"error":"x","errorCode":7}"#),
    ];
    for (status, body) in bodies {
        let (status, text) = (*status, body.to_string());
        let h = hostile::start(move |_| json(status, &text)).await;
        let home = Home::new();
        let o = run(
            &home,
            &h,
            &["certs", "--project", PROJECT, "--user", "alice"],
        );
        o.assert_no_panic();
        assert_eq!(o.code, 1, "{status} {body:?}: {}", o.err());
        assert!(!steers_a_terminal(&o.stderr), "{:?}", o.err());
        assert!(
            o.err().contains("HTTP") || o.err().contains("decode"),
            "{body:?}: {}",
            o.err()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_65536_character_cell_is_cut_not_a_panic() {
    let h = hostile::start(|_| {
        let name = "n".repeat(70_000);
        json(
            200,
            &json!({"results": [{"id": "65f1a2b3c4d5e6f708192a3c", "name": name}], "totalCount": 1})
                .to_string(),
        )
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects"]);
    o.assert_no_panic();
    assert_eq!(o.code, 0, "{}", o.err());
    assert!(o.out().contains('…'));
    assert!(o.out().lines().all(|l| l.chars().count() < 400));
}

// ---- server text is data ----------------------------------------------

const HOSTILE_TEXT: &str =
    "p\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;SGVsbG8=\u{7}\u{9b}31m\u{7f}\u{202e}x";

#[tokio::test(flavor = "multi_thread")]
async fn server_text_cannot_steer_the_terminal() {
    let key_block = "-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END PRIVATE KEY-----";
    let detail = format!(
        "{HOSTILE_TEXT} you sent Authorization: Basic dXNlcjpwYXNzd29yZA== and Bearer eyJhbGciOi.x.y {key_block} {}",
        "z".repeat(5000)
    );
    let h = hostile::start(move |r| {
        if r.path().ends_with("/groups") {
            json(
                200,
                &json!({"results": [{"id": PROJECT, "name": HOSTILE_TEXT}], "totalCount": 1})
                    .to_string(),
            )
        } else {
            json(404, &atlas_error(404, "GROUP_NOT_FOUND\u{1b}[5m", &detail))
        }
    })
    .await;
    let home = Home::new();
    let table = run(&home, &h, &["projects"]);
    assert_eq!(table.code, 0);
    assert!(!steers_a_terminal(&table.stdout), "{:?}", table.out());
    assert!(
        table.out().contains("\\e]0;pwned"),
        "shown, not obeyed: {}",
        table.out()
    );
    let as_json = run(&home, &h, &["projects", "--json"]);
    assert!(!steers_a_terminal(&as_json.stdout), "{:?}", as_json.out());
    let v: serde_json::Value = serde_json::from_slice(&as_json.stdout).unwrap();
    assert_eq!(v[0]["name"], HOSTILE_TEXT, "--json keeps the value exact");
    let err = run(&home, &h, &["users", "--project", PROJECT]);
    assert_eq!(err.code, 1);
    let e = err.err();
    assert!(!steers_a_terminal(&err.stderr), "{e:?}");
    assert!(e.contains("GROUP_NOT_FOUND"));
    for secret in [
        "SECRETKEYMATERIAL",
        "dXNlcjpwYXNzd29yZA",
        "eyJhbGciOi",
        SECRET,
    ] {
        assert!(!e.contains(secret), "{secret} leaked: {e}");
    }
    assert!(e.chars().count() < 2_500, "detail is capped: {}", e.len());
}

// ---- issuing: nothing lost, nothing issued twice ------------------------

/// Runs `issue` against a server that answers the POST with `reply`.
async fn issue_against(
    reply: impl Fn() -> Reply + Send + Sync + 'static,
    extra: &[&str],
) -> (Home, Hostile, Out) {
    let h = hostile::start(move |r| {
        if r.method == "POST" {
            reply()
        } else {
            json(200, r#"{"results":[],"totalCount":0}"#)
        }
    })
    .await;
    let home = Home::new();
    let out = home.path().join("alice.pem");
    let out = out.to_str().unwrap().to_string();
    let mut args = issue_args(&out);
    args.extend_from_slice(extra);
    let o = run(&home, &h, &args);
    (home, h, o)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_without_a_usable_key_is_kept_and_reported() {
    let good = good_pem();
    let cert_only = good[..good.find("-----BEGIN PRIVATE KEY").unwrap()].to_string();
    let truncated = good[..good.len() - 60].to_string();
    let wrapped = json!({"pem": good}).to_string();
    let other_key = format!(
        "{cert_only}{}",
        rcgen::KeyPair::generate().unwrap().serialize_pem()
    );
    for body in [
        cert_only,
        truncated,
        wrapped,
        other_key,
        "<html>oops</html>".into(),
    ] {
        let b = body.clone();
        let (home, h, o) =
            issue_against(move || Reply::Raw(response(201, &[], b.as_bytes())), &[]).await;
        o.assert_no_panic();
        assert_eq!(o.code, 1, "{body:.60}: {}", o.err());
        assert!(o.err().contains("may have been issued"), "{}", o.err());
        assert_eq!(h.count("POST", "/certs"), 1, "never retried");
        assert!(
            !home.path().join("alice.pem").exists(),
            "no unusable file named as a key"
        );
        let rescued = home.rescued();
        assert_eq!(rescued.len(), 1, "{}", o.err());
        assert_eq!(
            std::fs::read_to_string(&rescued[0]).unwrap(),
            body,
            "kept as it came"
        );
        let mode = std::fs::metadata(&rescued[0]).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(
            o.err().contains(rescued[0].to_str().unwrap()),
            "{}",
            o.err()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_answer_says_a_certificate_may_exist_and_is_never_retried() {
    let good = good_pem();
    let full = response(201, &[], good.as_bytes());
    let cut_at = full.len() - good.len() + 100;
    type Answer = Box<dyn Fn() -> Reply + Send + Sync>;
    let cases: Vec<(&str, Answer)> = vec![
        ("reset", Box::new(|| Reply::Reset)),
        ("cut", Box::new(move || Reply::Cut(full.clone(), cut_at))),
        ("stall", Box::new(|| Reply::Stall)),
        (
            "502",
            Box::new(|| Reply::Raw(response(502, &[], b"bad gateway"))),
        ),
    ];
    for (name, reply) in cases {
        let (home, h, o) = issue_against(reply, &["--timeout", "2"]).await;
        o.assert_no_panic();
        assert_eq!(o.code, 1, "{name}: {}", o.err());
        assert!(
            o.err().contains("may have been issued"),
            "{name}: {}",
            o.err()
        );
        assert_eq!(h.count("POST", "/certs"), 1, "{name}: never retried");
        assert!(!home.path().join("alice.pem").exists());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_that_cannot_be_written_goes_to_a_rescue_file() {
    let good = good_pem();
    let h = hostile::start(move |_| Reply::Raw(response(201, &[], good.as_bytes()))).await;
    let home = Home::new();
    // Root ignores directory modes; sysfs refuses new files even to root.
    let locked = home.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    let target = if unsafe { libc::geteuid() } == 0 {
        "/sys/atlas-x509-fault.pem".to_string()
    } else {
        locked.join("k.pem").to_str().unwrap().to_string()
    };
    let o = run(&home, &h, &issue_args(&target));
    assert_eq!(o.code, 1, "{}", o.err());
    let rescued = one_rescued_key(&home, &o);
    assert!(
        o.err().contains("could not save") && o.err().contains(rescued[0].to_str().unwrap()),
        "{}",
        o.err()
    );
    assert!(
        o.stdout.is_empty(),
        "the key went to the rescue file, not the screen"
    );
    assert_eq!(h.count("POST", "/certs"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stdout_that_reaches_nobody_is_refused_before_anything_is_sent() {
    let good = good_pem();
    let h = hostile::start(move |_| Reply::Raw(response(201, &[], good.as_bytes()))).await;
    let home = Home::new();
    let o = run_to(&home, &h, &issue_args("-"), Stdout::Null);
    assert_eq!(o.code, 2, "{}", o.err());
    assert!(o.err().contains("stdout is /dev/null"), "{}", o.err());
    assert!(o.err().contains("nothing was sent"), "{}", o.err());
    assert_eq!(h.count("POST", "/certs"), 0);
    assert!(home.rescued().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_or_full_stdout_sends_the_key_to_a_rescue_file() {
    let good = good_pem();
    let h = hostile::start(move |_| Reply::Raw(response(201, &[], good.as_bytes()))).await;
    for stdout in [Stdout::Closed, Stdout::Full] {
        let home = Home::new();
        let o = run_to(&home, &h, &issue_args("-"), stdout);
        assert_eq!(o.code, 1, "{}", o.err());
        let rescued = home.rescued();
        assert_eq!(rescued.len(), 1, "{}", o.err());
        assert!(
            o.err().contains("stdout failed") && o.err().contains("kept in"),
            "{}",
            o.err()
        );
        assert!(
            !o.err().contains("written to stdout"),
            "no claim that is not true"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stdout_nobody_reads_gives_the_key_to_a_rescue_file_in_time() {
    let good = good_pem();
    let h = hostile::start(move |_| Reply::Raw(response(201, &[], good.as_bytes()))).await;
    let home = Home::new();
    let mut args = issue_args("-");
    args.extend(["--stdout-timeout", "2s"]);
    let o = run_to(&home, &h, &args, Stdout::Stuck);
    assert_eq!(o.code, 1, "{}", o.err());
    assert!(
        o.err().contains("within 2 s") && o.err().contains("kept in"),
        "{}",
        o.err()
    );
    one_rescued_key(&home, &o);
    // Only a hang is caught by time; the 2 s is said above.
    assert!(o.elapsed < Duration::from_secs(60), "{:?}", o.elapsed);
    assert_eq!(h.count("POST", "/certs"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_directory_is_refused_before_anything_is_issued() {
    let good = good_pem();
    let h = hostile::start(move |_| Reply::Raw(response(201, &[], good.as_bytes()))).await;
    let home = Home::new();
    for out in ["newdir/", "newdir/k.pem"] {
        let o = run(&home, &h, &issue_args(out));
        assert_eq!(o.code, 2, "{out}: {}", o.err());
        assert!(o.err().contains("newdir"), "{}", o.err());
    }
    assert!(!home.path().join("newdir").exists());
    assert_eq!(h.count("POST", "/certs"), 0, "refused before the POST");
}

// ---- deadlines ----------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_drip_fed_answer_ends_within_the_timeout_retries_included() {
    let h = hostile::start(|_| Reply::Drip {
        bytes: response(200, &[], projects_page(0, 2, json!(2)).as_bytes()),
        every: Duration::from_millis(500),
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects", "--timeout", "3"]);
    assert_eq!(o.code, 1, "{}", o.err());
    assert!(o.err().contains("within 3 s"), "{}", o.err());
    // The deadline covers the retries: one try was cut at 3 s, and none
    // followed it.
    assert_eq!(h.count("GET", "/groups"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_retry_after_is_shown_not_waited() {
    let h = hostile::start(|_| {
        Reply::Raw(response(
            429,
            &[("Retry-After", "3300")],
            atlas_error(429, "RATE_LIMITED", "slow down").as_bytes(),
        ))
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects"]);
    assert_eq!(o.code, 1);
    assert!(
        o.err().contains("rate limited: Atlas asks to wait 55 min"),
        "{}",
        o.err()
    );
    assert_eq!(h.count("GET", "/groups"), 1, "not waited: not sent again");
}

// ---- reports ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn one_unreadable_user_does_not_sink_the_expiring_report() {
    let long = "u".repeat(1100);
    let users = json!({"results": [
        {"username": "alice", "databaseName": "$external", "x509Type": "MANAGED"},
        {"username": long, "databaseName": "$external", "x509Type": "MANAGED"},
    ], "totalCount": 2})
    .to_string();
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let certs = json!({"results": [{"_id": 7, "createdAt": "2026-01-01T00:00:00Z",
        "notAfter": soon.to_string(), "subject": "CN=alice"}], "totalCount": 1})
    .to_string();
    let h = hostile::start(move |r| {
        if r.path().ends_with("/databaseUsers") {
            json(200, &users)
        } else {
            json(200, &certs)
        }
    })
    .await;
    let home = Home::new();
    let o = run(
        &home,
        &h,
        &["expiring", "--project", PROJECT, "--within", "30d"],
    );
    assert_eq!(o.code, 4, "partial: {}", o.err());
    assert!(
        o.out().contains("alice") && o.out().contains('7'),
        "{}",
        o.out()
    );
    assert!(
        o.err().contains("partial") && o.err().contains("uuuu"),
        "{}",
        o.err()
    );
    assert!(o.err().contains("1 of 2"), "{}", o.err());
    assert!(
        o.err().contains(&format!("in project {PROJECT}")),
        "the user's project is named: {}",
        o.err()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_or_certificate_listed_twice_is_reported_once() {
    let users = json!({"results": [
        {"username": "alice", "databaseName": "$external", "x509Type": "MANAGED"},
        {"username": "alice", "databaseName": "$external", "x509Type": "MANAGED"},
    ], "totalCount": 2})
    .to_string();
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let cert = json!({"_id": 7, "createdAt": "2026-01-01T00:00:00Z",
        "notAfter": soon.to_string(), "subject": "CN=alice"});
    let certs = json!({"results": [cert, cert], "totalCount": 2}).to_string();
    let h = hostile::start(move |r| {
        if r.path().ends_with("/databaseUsers") {
            json(200, &users)
        } else {
            json(200, &certs)
        }
    })
    .await;
    let home = Home::new();
    let o = run(
        &home,
        &h,
        &[
            "expiring",
            "--project",
            PROJECT,
            "--within",
            "30d",
            "--json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(
        h.count("GET", "/certs"),
        1,
        "alice's certificates read once"
    );
}

// ---- the simulator as a server -------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_closes_half_open_connections() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = common::sim_with(|c| c.header_timeout = Duration::from_millis(300)).await;
    let addr = h.base_url().trim_start_matches("http://").to_string();
    let mut conns = vec![];
    for _ in 0..50 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"GET /api/atlas/v2/groups HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        conns.push(s);
    }
    for mut s in conns {
        let mut buf = [0u8; 512];
        // The server's own read timeout closes it; the deadline only
        // catches a connection held for good.
        let closed = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a half-open connection was held");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_log_stays_bounded_under_long_urls() {
    let h = common::sim().await;
    let http = reqwest::Client::new();
    let long = "a".repeat(50_000);
    for _ in 0..200 {
        let _ = http
            .get(format!("{}/api/atlas/v2/groups?junk={long}", h.base_url()))
            .send()
            .await
            .unwrap();
    }
    let log = h.requests();
    assert!(log.len() >= 200);
    assert!(
        log.iter().all(|r| r.target.len() <= 520),
        "{}",
        log.iter().map(|r| r.target.len()).max().unwrap()
    );
}

// ---- no key without a home, answers checked against the request ----------

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_for_another_user_or_an_expired_one_is_not_filed_under_this_user() {
    for (cn, days, says) in [("admin", 91, "CN=admin"), ("alice", -2, "expired")] {
        let pem = pem_for(cn, days);
        let h = hostile::start(move |_| Reply::Raw(response(201, &[], pem.as_bytes()))).await;
        let home = Home::new();
        let o = run(&home, &h, &issue_args("alice.pem"));
        assert_eq!(o.code, 1, "{cn}: {}", o.err());
        assert!(o.err().contains(says), "{cn}: {}", o.err());
        assert!(
            !home.path().join("alice.pem").exists(),
            "not saved as alice's"
        );
        assert_eq!(home.rescued().len(), 1, "the key is kept: {}", o.err());
        assert_eq!(h.count("POST", "/certs"), 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rescue_directory_that_is_a_symlink_or_a_file_still_hands_the_key_to_stdout() {
    // A certificate with no key: the mismatch path, where the key goes to
    // the rescue file, which here cannot be made.
    let (alice, bob) = (pem_for("alice", 91), pem_for("bob", 91));
    let key_at = |p: &str| p.find("-----BEGIN PRIVATE KEY-----").unwrap();
    let mismatched = format!("{}{}", &alice[..key_at(&alice)], &bob[key_at(&bob)..]);
    for (kind, says) in [
        ("symlink", "is a symbolic link"),
        ("file", "is a file, not a directory"),
    ] {
        let body = mismatched.clone();
        let h = hostile::start(move |_| Reply::Raw(response(201, &[], body.as_bytes()))).await;
        let home = Home::new();
        let state = home.path().join("state/atlas-x509");
        std::fs::create_dir_all(&state).unwrap();
        let rescue = state.join("rescue");
        if kind == "symlink" {
            let elsewhere = home.path().join("elsewhere");
            std::fs::create_dir(&elsewhere).unwrap();
            std::os::unix::fs::symlink(&elsewhere, &rescue).unwrap();
        } else {
            std::fs::write(&rescue, "not a directory").unwrap();
        }
        let o = run(&home, &h, &issue_args("alice.pem"));
        assert_eq!(o.code, 1, "{kind}: {}", o.err());
        assert!(o.err().contains(says), "{kind}: {}", o.err());
        assert!(o.err().contains("written to stdout"), "{kind}: {}", o.err());
        assert!(
            o.out().contains("PRIVATE KEY"),
            "{kind}: the key reached stdout"
        );
        // With --json, stdout is for JSON only: the key goes to stderr.
        let mut args = issue_args("alice2.pem");
        args.push("--json");
        let o = run(&home, &h, &args);
        assert_eq!(o.code, 1, "{kind}: {}", o.err());
        assert!(!o.out().contains("PRIVATE KEY"), "{kind}: {}", o.out());
        assert!(
            o.err().contains("PRIVATE KEY"),
            "{kind}: the key reached stderr"
        );
        assert!(o.err().contains("written to stderr"), "{kind}: {}", o.err());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_redirect_is_named_as_such() {
    let h = hostile::start(|_| {
        Reply::Raw(response(
            307,
            &[("location", "http://127.0.0.9/elsewhere")],
            b"",
        ))
    })
    .await;
    let home = Home::new();
    let o = run(&home, &h, &["projects"]);
    assert_eq!(o.code, 1, "{}", o.err());
    assert!(o.err().contains("redirect"), "{}", o.err());
    assert!(!o.err().contains("(empty)"), "{}", o.err());
}

/// A project listed twice is scanned once: `rotate` plans each of its users
/// once (twice would issue two certificates each), `expiring` lists them
/// once. A key that may not read a project's X.509 mode (403) still gets
/// the expiry report.
#[tokio::test(flavor = "multi_thread")]
async fn a_project_listed_twice_is_scanned_once() {
    let project = json!({"id": PROJECT, "name": "orders", "orgId": "a0123456789abcdef012345a"});
    let projects = json!({"results": [project, project], "totalCount": 2}).to_string();
    let users = json!({"results": [
        {"username": "alice", "databaseName": "$external", "x509Type": "MANAGED"},
    ], "totalCount": 1})
    .to_string();
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let made = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 80);
    let certs = json!({"results": [{"_id": 7, "createdAt": made.to_string(),
        "notAfter": soon.to_string(), "subject": "CN=alice"}], "totalCount": 1})
    .to_string();
    let forbidden = atlas_error(403, "ACCESS_FORBIDDEN", "Project Owner only");
    let h = hostile::start(move |r| {
        let path = r.path();
        if path.ends_with("/groups") {
            json(200, &projects)
        } else if path.ends_with("/userSecurity") {
            Reply::Raw(response(
                403,
                &[("Content-Type", "application/json")],
                forbidden.as_bytes(),
            ))
        } else if path.ends_with("/databaseUsers") {
            json(200, &users)
        } else {
            json(200, &certs)
        }
    })
    .await;
    let home = Home::new();
    let dir = home.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let o = run(
        &home,
        &h,
        &[
            "rotate",
            "--all-projects",
            "--within",
            "30d",
            "--dry-run",
            "--out-dir",
            dir.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(h.count("GET", "/databaseUsers/alice/certs"), 1);
    let o = run(
        &home,
        &h,
        &["expiring", "--all-projects", "--within", "30d", "--json"],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
}
