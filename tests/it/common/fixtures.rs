//! Builders for states and API answers, shared by the state-machine and screen tests.
#![allow(dead_code)]

use std::sync::Arc;

use atlas_client::{IssuedPem, Page};
use atlas_x509::app::{ApiResult, CertInfo, Command, Env, Issued, Msg, State, init, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

pub const P1: &str = "65f1a2b3c4d5e6f708192a3b";
pub const P2: &str = "65f1a2b3c4d5e6f708192a3c";
pub const P3: &str = "65f1a2b3c4d5e6f708192a3d";

pub fn env() -> Env {
    Env {
        target: "DEMO".into(),
        credentials: "API key abc".into(),
        items_per_page: 100,
        default_months: 3,
        concurrency: 20,
        start: None,
        renewal: Default::default(),
        save_dir: None,
        notes: vec![],
        keymap: Default::default(),
        test_panic_key: None,
    }
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    let m = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), m))
}

pub fn tick(s: &mut State, ms: u64) -> Vec<Command> {
    let now = s.now;
    update(s, Msg::Tick { now, mono_ms: ms })
}

pub fn projects() -> Page<atlas_client::Project> {
    serde_json::from_value(json!({"results": [
        {"id": P1, "name": "payments-prod", "clusterCount": 3},
        {"id": P2, "name": "orders-staging", "clusterCount": 2},
        {"id": P3, "name": "sandbox", "clusterCount": 0}], "totalCount": 3}))
    .unwrap()
}

pub fn users() -> Page<atlas_client::DatabaseUser> {
    serde_json::from_value(json!({"results": [
        {"username": "alice", "databaseName": "$external", "x509Type": "MANAGED"},
        {"username": "CN=app,OU=ops,O=acme", "databaseName": "$external", "x509Type": "CUSTOMER"},
        {"username": "admin", "databaseName": "admin", "x509Type": "NONE"}], "totalCount": 3}))
    .unwrap()
}

pub fn certs(page: u32, per: u32, total: u32) -> Page<atlas_client::UserCert> {
    let start = (page - 1) * per;
    let results: Vec<_> = (start..total.min(start + per))
        .map(|i| json!({"_id": 1000 + i, "createdAt": "2026-01-01T00:00:00Z", "notAfter": "2027-01-01T00:00:00Z", "subject": "CN=alice", "groupId": P1}))
        .collect();
    serde_json::from_value(json!({"results": results, "totalCount": total})).unwrap()
}

/// Every certificate of a user of `total`, in Atlas's order (created),
/// expiries spread so that sorting by them reorders the list.
pub fn all_certs(total: u32) -> Vec<atlas_client::UserCert> {
    let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    (0..total)
        .map(|i| atlas_client::UserCert {
            id: 1000 + u64::from(i),
            created_at: start + jiff::SignedDuration::from_hours(i64::from(i)),
            not_after: start
                + jiff::SignedDuration::from_hours(24 * (400 + i64::from((i * 37) % total))),
            group_id: Some(P1.into()),
            subject: format!("CN=alice{}", i % 7),
        })
        .collect()
}

/// Answers the whole-list request `cmds` holds with `all`.
pub fn answer_whole(s: &mut State, cmds: &[Command], all: Vec<atlas_client::UserCert>) {
    let id = cmds
        .iter()
        .find_map(|c| match c {
            Command::FetchAllCerts { id, .. } => Some(*id),
            _ => None,
        })
        .expect("the whole list is asked for");
    atlas_x509::app::update(s, Msg::Api(id, ApiResult::AllCerts(Ok(all))));
}

pub fn only(cmds: &[Command]) -> &Command {
    assert_eq!(cmds.len(), 1, "{cmds:#?}");
    &cmds[0]
}

/// init → projects → users → alice's first certs page (total certs given).
pub fn loaded(total_certs: u32) -> State {
    let mut s = State::new(env(), "2026-11-22T00:00:00Z".parse().unwrap());
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    let cmds = update(&mut s, Msg::Api(id, ApiResult::Projects(Ok(projects()))));
    let Command::FetchUsers { id, group_id, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert_eq!(group_id, P1, "first project's users load at once");
    let cmds = update(&mut s, Msg::Api(id, ApiResult::Users(Ok(users()))));
    let Command::FetchCerts {
        id, username, page, ..
    } = only(&cmds).clone()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!((username.as_str(), page.page_num), ("alice", 1));
    update(
        &mut s,
        Msg::Api(id, ApiResult::Certs(1, Ok(certs(1, 100, total_certs)))),
    );
    s
}

pub fn issued() -> Box<Issued> {
    Box::new(Issued {
        pem: Arc::new(IssuedPem::new("-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n".into())),
        info: Some(CertInfo {
            subject: "CN=alice".into(),
            issuer: "CN=0123456789abcdef01234567, OU=Atlas, O=MongoDB Inc".into(),
            serial: 4242,
            not_before: "2026-11-21T23:00:00Z".parse().unwrap(),
            not_after: "2027-05-22T00:00:00Z".parse().unwrap(),
            sha256: "AB:CD".into(),
            key: "RSA 4096".into(),
        }),
        problem: None,
        username: "alice".into(),
        held: atlas_x509::app::Held::File(
            "/home/me/.local/state/atlas-x509/rescue/20261121T230000Z-alice.pem".into(),
        ),
    })
}

/// A self-signed CA certificate (CA:TRUE, EC P-256) as PEM, for customer-CA uploads.
pub fn ca_pem(name: &str) -> String {
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(rcgen::DnType::CommonName, name);
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    p.self_signed(&key).unwrap().pem()
}
