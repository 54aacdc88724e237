#![allow(dead_code)]

pub mod bin;
pub mod fake_atlas;
pub mod fixtures;
pub mod gallery;
pub mod harness;
pub mod hostile;

use std::time::Duration;

use atlas_client::{Client, ClientConfig, Credentials};
use atlas_sim::{KeyType, SimConfig, SimHandle};

pub const PAYMENTS: &str = "65f1a2b3c4d5e6f708192a3b";
pub const ORDERS: &str = "65f1a2b3c4d5e6f708192a3c";
pub const SANDBOX: &str = "65f1a2b3c4d5e6f708192a3d";
pub const V2: &str = "application/vnd.atlas.2023-01-01+json";

pub fn config() -> SimConfig {
    SimConfig {
        key_type: KeyType::Ec,
        ..SimConfig::default()
    }
}

pub async fn sim() -> SimHandle {
    atlas_sim::start(config()).await.expect("simulator starts")
}

pub async fn sim_with(f: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut cfg = config();
    f(&mut cfg);
    atlas_sim::start(cfg).await.expect("simulator starts")
}

pub fn client_config(h: &SimHandle, creds: Credentials) -> ClientConfig {
    let mut cfg = ClientConfig::new(h.base_url(), creds);
    cfg.retry_base_delay = Duration::from_millis(10);
    cfg.timeout = Duration::from_secs(20);
    cfg
}

pub fn api_key(h: &SimHandle) -> Credentials {
    Credentials::api_key(&h.credentials.public_key, &h.credentials.private_key)
}

pub fn service_account(h: &SimHandle) -> Credentials {
    Credentials::service_account(&h.credentials.client_id, &h.credentials.client_secret)
}

pub fn digest_client(h: &SimHandle) -> Client {
    Client::new(client_config(h, api_key(h))).unwrap()
}

pub fn bearer_client(h: &SimHandle) -> Client {
    Client::new(client_config(h, service_account(h))).unwrap()
}

/// A bearer token fetched by hand, for raw requests that bypass the client.
pub async fn raw_token(h: &SimHandle) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{}/api/oauth/token", h.base_url()))
        .basic_auth(&h.credentials.client_id, Some(&h.credentials.client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

pub fn count(h: &SimHandle, method: &str, path_contains: &str) -> usize {
    h.requests()
        .iter()
        .filter(|r| r.method == method && r.target.contains(path_contains))
        .count()
}

/// Requests that passed authentication (no Digest challenge legs).
pub fn count_served(h: &SimHandle, method: &str, path_contains: &str) -> usize {
    h.requests()
        .iter()
        .filter(|r| r.authenticated && r.method == method && r.target.contains(path_contains))
        .count()
}

/// `rotate --all-projects --within WITHIN --out-dir DIR`, then `extra`:
/// the command line the rotation tests start from.
pub fn rotate_all<'a>(within: &'a str, dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "rotate",
        "--all-projects",
        "--within",
        within,
        "--out-dir",
        dir,
    ];
    v.extend_from_slice(extra);
    v
}

/// What the binary needs to reach this simulator with its API key.
pub fn api_key_env(h: &SimHandle) -> Vec<(&'static str, String)> {
    vec![
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url().to_string()),
        (
            "MONGODB_ATLAS_PUBLIC_API_KEY",
            h.credentials.public_key.clone(),
        ),
        (
            "MONGODB_ATLAS_PRIVATE_API_KEY",
            h.credentials.private_key.clone(),
        ),
    ]
}

/// The same pairs, borrowed, as `Home::run` takes them.
pub fn pairs<'a>(e: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    e.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Returns once `f` holds; the deadline (a minute) only catches a hang.
pub fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A certificate for `cn`, valid `days` from now (negative: expired).
pub fn pem_for(cn: &str, days: i64) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec![]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(days.abs() + 1);
    params.not_after = now + time::Duration::days(days);
    params.serial_number = Some(rcgen::SerialNumber::from(0x1B6E_BA83_4890_4A92u64));
    let cert = params.self_signed(&key).unwrap();
    format!("{}{}", cert.pem(), key.serialize_pem())
}

/// The binary against the simulator `h`, with its API key, from `home`;
/// a panic in it fails the test.
pub fn run_on_sim(home: &bin::Home, h: &SimHandle, args: &[&str]) -> bin::Out {
    let e = api_key_env(h);
    let out = home.run(&pairs(&e), args);
    out.assert_no_panic();
    out
}
