//! User-account profiles (`atlas auth login`): the access token as a bearer
//! token against the simulator, expiry known from the JWT before anything is
//! sent, a refused token, a token read again after the Atlas CLI refreshed
//! it, and a fake `atlas` on PATH that renews an expired one through the
//! simulator's refresh endpoint, as the real CLI does.

use crate::common;

use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use atlas_client::{Client, Credentials, Error, PageRequest};
use common::fake_atlas;
use common::*;
use secrecy::SecretString;

fn user(token: &str) -> Credentials {
    Credentials::user_account(token, Some("work".into()))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_valid_token_is_a_bearer_token_on_every_path() {
    let h = sim().await;
    let c = Client::new(client_config(&h, user(&h.credentials.access_token))).unwrap();
    let projects = c.list_projects(PageRequest::default()).await.unwrap();
    assert_eq!(projects.results.len(), 4);
    let users = c.list_users(ORDERS, PageRequest::default()).await.unwrap();
    assert!(!users.results.is_empty());
    assert!(
        h.requests()
            .iter()
            .all(|r| r.authenticated && r.status == 200),
        "no challenge round trip with a bearer token: {:?}",
        h.requests()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_never_sent_and_says_how_to_renew() {
    let h = sim().await;
    let expired = h.user_access_token(-60);
    let c = Client::new(client_config(&h, user(&expired))).unwrap();
    let e = c.list_projects(PageRequest::default()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Token {
                expired_at: Some(_),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_auth());
    let text = e.explained();
    assert!(text.contains("profile [work] expired at"), "{text}");
    assert!(
        text.contains("atlas organizations list --limit 1 --output json --profile work"),
        "{text}"
    );
    assert!(text.contains("atlas auth login --profile work"), "{text}");
    assert!(!text.contains(&expired));
    assert!(h.requests().is_empty(), "nothing sent with a dead token");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_refuses_expired_and_forged_tokens_with_atlas_401() {
    let h = sim().await;
    let expired = h.user_access_token(-60);
    let forged = {
        let (rest, _sig) = h.credentials.access_token.rsplit_once('.').unwrap();
        format!("{rest}.AAAA")
    };
    let http = reqwest::Client::new();
    for token in [expired.as_str(), forged.as_str()] {
        let resp = http
            .get(format!("{}/api/atlas/v2/groups", h.base_url()))
            .header("Accept", V2)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401);
        let body: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert_eq!(body["error"], 401);
        assert_eq!(body["reason"], "Unauthorized");
    }
    // The client, handed a token that looks valid but is not Atlas's: told so.
    let c = Client::new(client_config(&h, user(&forged))).unwrap();
    let e = c.list_projects(PageRequest::default()).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Token {
                expired_at: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.explained().contains("Atlas refused"), "{}", e.explained());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_is_read_again_and_the_refreshed_one_used() {
    let h = sim().await;
    let fresh = h.credentials.access_token.clone();
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    let creds = user(&h.user_access_token(-60)).with_reload(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        Some(SecretString::from(fresh.clone()))
    }));
    let c = Client::new(client_config(&h, creds)).unwrap();
    c.list_projects(PageRequest::default()).await.unwrap();
    c.list_projects(PageRequest::default()).await.unwrap();
    assert_eq!(
        reads.load(Ordering::SeqCst),
        1,
        "read again once, then kept"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_refresh_endpoint_rotates_the_pair() {
    let h = sim().await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/private/unauth/account/device/token", h.base_url());
    let refresh = |token: String| {
        http.post(&url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=refresh_token&refresh_token={token}&scope=openid+profile+offline_access&client_id=0oabtxactgS3gHIR0297"
            ))
            .send()
    };
    let resp = refresh(h.credentials.refresh_token.clone()).await.unwrap();
    assert_eq!(resp.status(), 200);
    let pair: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    let new_access = pair["access_token"].as_str().unwrap().to_string();
    assert_ne!(new_access, h.credentials.access_token);
    let c = Client::new(client_config(&h, user(&new_access))).unwrap();
    c.list_projects(PageRequest::default()).await.unwrap();
    // The old refresh token is spent.
    let again = refresh(h.credentials.refresh_token.clone()).await.unwrap();
    assert_eq!(again.status(), 400);
    let body: serde_json::Value = serde_json::from_slice(&again.bytes().await.unwrap()).unwrap();
    assert_eq!(body["errorCode"], "INVALID_REFRESH_TOKEN");
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(h: &atlas_sim::SimHandle, access_token: &str) -> Self {
        Self {
            dir: fake_atlas::cli_home(h, access_token),
        }
    }

    fn run(&self, with_atlas: bool, args: &[&str]) -> Output {
        self.run_env(with_atlas, args, &[])
    }

    fn run_env(&self, with_atlas: bool, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut path = std::env::var("PATH").unwrap_or_default();
        if with_atlas {
            path = format!("{}:{path}", self.dir.path().join("bin").display());
        }
        Command::new(env!("CARGO_BIN_EXE_atlas-x509"))
            .args(args)
            .env_clear()
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join(".config"))
            .env("PATH", path)
            .env("FAKE_ATLAS_LOG", self.dir.path().join("atlas.log"))
            // No keyring here: the CLI kept the tokens in its TOML.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn atlas_calls(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("atlas.log")).unwrap_or_default()
    }

    fn config(&self) -> String {
        std::fs::read_to_string(self.dir.path().join(".config/atlascli/config.toml")).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_with_a_valid_token_just_works() {
    let h = sim().await;
    let home = Home::new(&h, &h.credentials.access_token);
    let out = home.run(true, &["projects", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let projects: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(projects.as_array().unwrap().len(), 4);
    assert_eq!(
        home.atlas_calls(),
        "",
        "the CLI is not run for a valid token"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_without_a_terminal_says_what_to_run_and_changes_nothing() {
    let h = sim().await;
    let expired = h.user_access_token(-60);
    let home = Home::new(&h, &expired);
    let before = home.config();
    let out = home.run(true, &["projects", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("expired at"), "{err}");
    assert!(
        err.contains("atlas organizations list --limit 1 --output json --profile work"),
        "{err}"
    );
    assert!(err.contains("--renew-with-atlas"), "{err}");
    assert!(!err.contains(&expired));
    assert_eq!(home.atlas_calls(), "", "never run without being asked");
    assert_eq!(
        home.config(),
        before,
        "the CLI's config is never written by us"
    );
    assert!(h.requests().is_empty(), "nothing sent with a dead token");

    let no_cli = home.run(false, &["projects", "--json"]);
    assert_eq!(no_cli.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&no_cli.stderr).contains("not on PATH"));
}

#[tokio::test(flavor = "multi_thread")]
async fn renew_with_atlas_runs_the_cli_then_reads_the_profile_again() {
    let h = sim().await;
    let home = Home::new(&h, &h.user_access_token(-60));
    let out = home.run(true, &["--renew-with-atlas", "projects", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("access token renewed"), "{err}");
    let projects: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(projects.as_array().unwrap().len(), 4);
    assert_eq!(
        home.atlas_calls(),
        "organizations list --limit 1 --output json --profile work\n"
    );
    assert!(
        !home.config().contains(&h.credentials.refresh_token),
        "the CLI (not atlas-x509) stored a rotated pair"
    );

    // The refresh token is now spent: a second renewal fails, and says to log in.
    let home2 = Home::new(&h, &h.user_access_token(-60));
    let out = home2.run(true, &["--renew-with-atlas", "projects", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("failed"), "{err}");
    assert!(err.contains("atlas auth login --profile work"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn what_a_failing_cli_prints_is_never_shown() {
    let h = sim().await;
    let expired = h.user_access_token(-60);
    let home = Home::new(&h, &expired);
    // A token the CLI might have just been handed: known to nobody, caught
    // by its shape.
    let fresh = h.user_access_token(3600);
    let out = home.run_env(
        true,
        &["--renew-with-atlas", "projects", "--json"],
        &[("FAKE_ATLAS_LEAK", fresh.as_str())],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        !err.contains("refresh failed for"),
        "the CLI's words are not shown: {err}"
    );
    assert!(err.contains("atlas auth login --profile work"), "{err}");
    for secret in [&h.credentials.refresh_token, &expired, &fresh] {
        assert!(!err.contains(secret.as_str()), "{secret} leaked: {err}");
        // Nor a long piece of one (a cut must not leave half a token).
        let piece = &secret[secret.len() / 2..secret.len() / 2 + 12];
        assert!(!err.contains(piece), "a piece of {secret} leaked: {err}");
    }
}
