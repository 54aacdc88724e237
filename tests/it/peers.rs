//! Independent peers: curl's own Digest implementation against the
//! simulator, and the real binary's `sim` subcommand.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use atlas_client::{Client, ClientConfig, Credentials, PageRequest};
use common::*;

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--write-out", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl is installed (.ci/run installs it)");
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.to_string(), body.to_string())
}

#[tokio::test]
async fn curl_digest_with_the_demo_keys() {
    let h = sim().await;
    let user = format!("{}:{}", h.credentials.public_key, h.credentials.private_key);
    let url = format!("{}/api/atlas/v2/groups", h.base_url());
    let (code, body) = tokio::task::spawn_blocking({
        let (user, url) = (user.clone(), url.clone());
        move || {
            curl(&[
                "--digest",
                "-u",
                &user,
                "-H",
                &format!("Accept: {V2}"),
                &url,
            ])
        }
    })
    .await
    .unwrap();
    assert_eq!(code, "200", "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["totalCount"], 4);

    // A POST: curl re-sends the body on the second leg.
    let certs = format!(
        "{}/api/atlas/v2/groups/{ORDERS}/databaseUsers/svc.orders/certs",
        h.base_url()
    );
    let (code, body) = tokio::task::spawn_blocking({
        let user = user.clone();
        move || {
            curl(&[
                "--digest",
                "-u",
                &user,
                "-H",
                &format!("Accept: {V2}"),
                "-H",
                &format!("Content-Type: {V2}"),
                "-X",
                "POST",
                "--data",
                r#"{"monthsUntilExpiration":2}"#,
                &certs,
            ])
        }
    })
    .await
    .unwrap();
    assert_eq!(code, "201");
    assert!(body.starts_with("-----BEGIN CERTIFICATE-----"));

    let wrong = format!("{}:wrong-key", h.credentials.public_key);
    let (code, body) = tokio::task::spawn_blocking(move || {
        curl(&[
            "--digest",
            "-u",
            &wrong,
            "-H",
            &format!("Accept: {V2}"),
            &url,
        ])
    })
    .await
    .unwrap();
    assert_eq!(code, "401");
    assert!(body.contains("You are not authorized for this resource."));
}

/// `atlas-x509 sim --listen 127.0.0.1:0 ARGS`: the process, its start-up
/// JSON line parsed, and the line.
fn sim_process(args: &[&str]) -> (std::process::Child, serde_json::Value, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atlas-x509"))
        .args(["sim", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("HOME", std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).expect("first line is JSON");
    (child, info, line)
}

#[tokio::test]
async fn sim_subcommand_prints_credentials_then_serves() {
    let (mut child, info, line) = sim_process(&["--key-type", "ec"]);
    for key in [
        "base_url",
        "public_key",
        "private_key",
        "client_id",
        "client_secret",
        "access_token",
        "refresh_token",
    ] {
        assert!(
            info[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key} in {line}"
        );
    }
    let s = |k: &str| info[k].as_str().unwrap().to_string();
    assert!(s("base_url").starts_with("http://127.0.0.1:"));
    for creds in [
        Credentials::api_key(s("public_key"), s("private_key")),
        Credentials::service_account(s("client_id"), s("client_secret")),
        Credentials::user_account(s("access_token"), None),
    ] {
        let c = Client::new(ClientConfig::new(s("base_url"), creds)).unwrap();
        let page = c.list_projects(PageRequest::default()).await.unwrap();
        assert_eq!(page.results.len(), 4);
        let pem = c.create_cert(SANDBOX, "dev", 1).await.unwrap();
        assert!(pem.has_private_key());
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // --user-token-ttl 0: the start-up token is expired from the start.
    let (mut child, info, _) = sim_process(&["--user-token-ttl", "0"]);
    let token = info["access_token"].as_str().unwrap();
    let exp = atlas_client::jwt::claims(token).unwrap().exp.unwrap();
    assert!(exp <= jiff::Timestamp::now().as_second());
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn sim_refuses_a_public_listen_address() {
    let out = Command::new(env!("CARGO_BIN_EXE_atlas-x509"))
        .args(["sim", "--listen", "0.0.0.0:0"])
        .env("HOME", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback"));
}

/// Statuses the simulator answered on `path`, in order.
fn statuses(h: &atlas_sim::SimHandle, path: &str) -> Vec<u16> {
    h.requests()
        .iter()
        .filter(|r| r.target.starts_with(path))
        .map(|r| r.status)
        .collect()
}

/// Two Digest implementations written by others: curl (a fresh challenge
/// per transfer) and Python requests (one challenge, then its nonce reused
/// with counts 2, 3 and 4). The simulator accepts exactly what they
/// compute, at every count, and refuses a wrong key.
#[tokio::test(flavor = "multi_thread")]
async fn curl_and_python_requests_agree_with_the_simulators_digest_at_every_count() {
    let h = sim().await;
    let (public, private) = (
        h.credentials.public_key.clone(),
        h.credentials.private_key.clone(),
    );
    let path = "/api/atlas/v2/groups";
    let url = format!("{}{path}", h.base_url());
    // curl: one handle, four transfers.
    let out = tokio::task::spawn_blocking({
        let (user, url) = (format!("{public}:{private}"), url.clone());
        move || {
            Command::new("curl")
                .args(["--silent", "--write-out", "%{http_code}\n"])
                .args(["--digest", "-u", &user, "-H", &format!("Accept: {V2}")])
                .args((0..4).flat_map(|_| ["--output", "/dev/null", url.as_str()]))
                .output()
                .expect("curl is installed (.ci/run installs it)")
        }
    })
    .await
    .unwrap();
    let codes = String::from_utf8(out.stdout).unwrap();
    assert_eq!(codes.lines().collect::<Vec<_>>(), ["200"; 4], "{codes}");
    // curl answers a fresh challenge for each transfer (count 1 each time).
    assert_eq!(statuses(&h, path), [401, 200].repeat(4));

    // Python requests: one session, four requests.
    let script = r#"
import sys, requests
from requests.auth import HTTPDigestAuth
s = requests.Session()
s.auth = HTTPDigestAuth(sys.argv[2], sys.argv[3])
s.headers["Accept"] = sys.argv[4]
print(" ".join(str(s.get(sys.argv[1], timeout=30).status_code) for _ in range(4)))
"#;
    let run = |key: String| {
        let url = url.clone();
        let public = public.clone();
        let script = script.to_string();
        tokio::task::spawn_blocking(move || {
            let out = Command::new("python3")
                .args(["-c", &script, &url, &public, &key, V2])
                .output()
                .expect("python3 is installed (.ci/run installs it)");
            assert!(
                out.status.success(),
                "python3 with requests (.ci/run installs it): {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        })
    };
    let before = statuses(&h, path).len();
    assert_eq!(run(private.clone()).await.unwrap(), "200 200 200 200");
    let seen = statuses(&h, path)[before..].to_vec();
    assert_eq!(
        seen,
        [401, 200, 200, 200, 200],
        "one challenge, counts 1 to 4"
    );
    let wrong = run("0000-wrong".into()).await.unwrap();
    assert!(wrong.split(' ').all(|c| c == "401"), "{wrong}");
}
