//! Every screen and dialog the app can show, built by the real `update`:
//! for the render sweep and the snapshots.

use atlas_x509::app::{ApiResult, Command, IssueFailure, Level, Msg, Pane, State, init, update};
use crossterm::event::KeyCode;

use super::fixtures::*;

pub const HOSTILE: &str = "evil\u{1b}]0;t\u{7}\u{1b}[2J\u{9b}1m\u{202e}gpj.exe\u{7f}";

fn issue(s: &mut State) -> u64 {
    s.focus = Pane::Users;
    update(s, ch('i'));
    let Command::CreateCert { id, .. } = update(s, key(KeyCode::Enter)).remove(0) else {
        panic!("no create")
    };
    id
}

fn pem(mut s: State, problem: Option<&str>) -> State {
    let id = issue(&mut s);
    let mut answer = issued();
    answer.problem = problem.map(str::to_string);
    update(&mut s, Msg::Api(id, ApiResult::Issued(Ok(answer))));
    s
}

/// Two CA certificates with fixed dates (2036 and 2031): what a project's
/// customer X.509 holds, as a disable would clear it.
pub const TWO_CAS: &str = include_str!("two-cas.pem");

fn disable(mut s: State, cas: Option<&str>, typed: &str) -> State {
    let Command::FetchSecurity { id, .. } = update(&mut s, ch('X')).remove(0) else {
        panic!()
    };
    let sec = serde_json::from_value(serde_json::json!({"customerX509": {"cas": cas}})).unwrap();
    update(&mut s, Msg::Api(id, ApiResult::Security(Ok(sec))));
    for c in typed.chars() {
        update(&mut s, ch(c));
    }
    s
}

/// A session's worth of messages: a long one the status line must cut, a
/// repeat, a hostile one, the newest short.
fn with_messages(mut s: State) -> State {
    s.set_status(Level::Info, "100 certificates per page");
    s.set_status(
        Level::Error,
        "the access token of Atlas CLI profile [work] expired at 2026-11-21 23:00:00 UTC; renew it with `atlas organizations list --limit 1 --output json --profile work` (the Atlas CLI refreshes the token on any call), or sign in again with `atlas auth login --profile work`",
    );
    s.set_status(Level::Warn, format!("RATE_LIMITED: {HOSTILE}"));
    s.set_status(Level::Warn, format!("RATE_LIMITED: {HOSTILE}"));
    s.set_status(
        Level::Error,
        "Issuing failed: CANNOT_GENERATE_CERT_IF_ADVANCED_X509 (409): This project uses customer-managed X.509 (a customer CA is configured), so Atlas cannot issue certificates here; issue them with your own CA, or disable customer X.509 first.",
    );
    s
}

/// Every screen the app can show, by name.
pub fn screens() -> Vec<(&'static str, State)> {
    let mut v: Vec<(&'static str, State)> = vec![];
    let mut s = State::new(env(), "2026-11-22T00:00:00Z".parse().unwrap());
    init(&mut s);
    v.push(("loading", s));
    v.push(("loaded", loaded(5)));
    v.push(("empty", loaded(0)));
    v.push(("many certs", loaded(1201)));
    let mut s = loaded(5);
    s.projects.items[0].name = HOSTILE.repeat(20);
    let first = &s.users.items[0];
    s.users.items[0] = atlas_x509::app::state::UserItem::new(
        &format!("CN={HOSTILE},O=acme"),
        &format!("$ext{HOSTILE}"),
        &format!("read@{HOSTILE}"),
        first.x509_type,
    );
    s.set_status(
        Level::Error,
        format!("GROUP_NOT_FOUND: {}", HOSTILE.repeat(50)),
    );
    s.users.error = Some(HOSTILE.repeat(10));
    v.push(("hostile text and errors", s));
    // Names longer than any column: every cut must say so with `…`.
    let mut s = loaded(5);
    s.projects.items[0].name = "orders-platform-europe-west-production-cluster-group-zzend".into();
    let first = &s.users.items[0];
    s.users.items[0] = atlas_x509::app::state::UserItem::new(
        "CN=orders-api-service-account-eu-region,OU=svc,O=acme-corporation-zzend",
        "$external",
        "readWrite@orders,read@reporting,clusterMonitor@admin-zzend",
        first.x509_type,
    );
    for c in s.certs.pages.values_mut().flat_map(|p| p.iter_mut()) {
        c.subject =
            "CN=orders-api-service-account-eu-region,OU=svc,O=acme-corporation-zzend".into();
    }
    v.push(("long names", s));
    let mut s = loaded(5);
    update(&mut s, ch('/'));
    for c in "pay".chars() {
        update(&mut s, ch(c));
    }
    v.push(("filtering", s));
    let mut s = loaded(5);
    update(&mut s, ch('?'));
    v.push(("help", s));
    // At the end at the smallest size: larger ones show the end too.
    let mut s = loaded(5);
    update(&mut s, Msg::Resize(60, 18));
    update(&mut s, ch('?'));
    update(&mut s, ch('G'));
    v.push(("help at its end", s));
    v.push(("status cut", with_messages(loaded(5))));
    let mut s = with_messages(loaded(5));
    update(&mut s, ch('m'));
    v.push(("messages", s));
    let mut s = with_messages(loaded(5));
    update(&mut s, Msg::Resize(60, 18));
    update(&mut s, ch('m'));
    update(&mut s, ch('G'));
    v.push(("messages at their end", s));
    let mut s = loaded(5);
    s.focus = Pane::Certs;
    update(&mut s, ch('o'));
    update(&mut s, ch('O'));
    update(&mut s, ch('/'));
    update(&mut s, ch('1'));
    v.push(("certificates sorted and filtered", s));
    let mut s = loaded(250);
    s.focus = Pane::Certs;
    let cmds = update(&mut s, ch('o'));
    answer_whole(&mut s, &cmds, all_certs(250));
    v.push(("certificates sorted across all", s));
    let mut s = loaded(250);
    s.focus = Pane::Certs;
    let cmds = update(&mut s, ch('/'));
    assert!(cmds.is_empty());
    let cmds = update(&mut s, ch('3'));
    answer_whole(&mut s, &cmds, all_certs(250));
    update(&mut s, ch('3'));
    v.push(("certificates filtered across all", s));
    let mut s = loaded(12_000);
    s.focus = Pane::Certs;
    update(&mut s, ch('o'));
    v.push(("certificates sorted over the bound", s));
    let mut s = loaded(5);
    s.focus = Pane::Certs;
    update(&mut s, ch('j'));
    update(&mut s, key(KeyCode::Enter));
    v.push(("certificate details", s));
    let mut s = loaded(5);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    v.push(("issue dialog", s));
    let mut s = loaded(5);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    for c in "125".chars() {
        update(&mut s, ch(c));
    }
    v.push(("issue months refused", s));
    let mut s = loaded(5);
    issue(&mut s);
    v.push(("issuing", s));
    let mut s = loaded(5);
    let id = issue(&mut s);
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Issued(Err(IssueFailure {
                text: format!("the answer was lost: {}", HOSTILE.repeat(5)),
                maybe_issued: true,
            })),
        ),
    );
    v.push(("issue answer lost", s));
    v.push(("pem masked", pem(loaded(5), None)));
    let mut s = pem(loaded(5), None);
    update(&mut s, ch('v'));
    for _ in 0..500 {
        update(&mut s, ch('j'));
    }
    v.push(("pem revealed and scrolled", s));
    let mut s = pem(loaded(5), None);
    update(&mut s, ch('s'));
    v.push(("pem save prompt", s));
    let mut s = pem(loaded(5), None);
    update(&mut s, key(KeyCode::Esc));
    v.push(("pem discard question", s));
    // An answer with a certificate and no key: what the dialog says of it.
    let mut s = loaded(5);
    let id = issue(&mut s);
    let mut keyless = issued();
    keyless.pem = std::sync::Arc::new(atlas_client::IssuedPem::new(
        "-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----\n".into(),
    ));
    keyless.problem = Some("Atlas's answer holds no private key".into());
    update(&mut s, Msg::Api(id, ApiResult::Issued(Ok(keyless))));
    v.push(("pem unusable answer", s));
    v.push(("disable confirm", disable(loaded(5), Some(TWO_CAS), "pay")));
    let mut s = disable(loaded(5), Some(TWO_CAS), "");
    update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('s'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    v.push(("disable saving the CAs", s));
    v.push((
        "disable unreadable CAs",
        disable(loaded(5), Some("-----BEGIN CERTIFICATE-----\n"), ""),
    ));
    v.push(("disable nothing to do", disable(loaded(5), None, "")));
    let mut s = disable(loaded(5), Some("-----BEGIN CERTIFICATE-----\n"), "pay");
    update(&mut s, key(KeyCode::Enter));
    v.push(("disable wrong name", s));
    let mut s = loaded(5);
    update(&mut s, ch('X'));
    v.push(("disable loading", s));
    let mut s = loaded(5);
    s.focus = Pane::Users;
    update(&mut s, ch('a'));
    for c in "svc-billing".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Enter));
    v.push(("create user form", s));
    let mut s = loaded(5);
    update(&mut s, ch('C'));
    for c in "~/ca.pem".chars() {
        update(&mut s, ch(c));
    }
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Some(Command::ReadCaBundle { id, .. }) = cmds.first().cloned() else {
        panic!("the CA path is read: {cmds:?}")
    };
    {
        let bundle = atlas_x509::app::CaBundle {
            path: "/home/me/ca.pem".into(),
            text: String::new(),
            cas: vec![atlas_client::bundle::CaInfo {
                subject: format!("CN=Acme {HOSTILE} Root"),
                not_before: "2026-01-01T00:00:00Z".parse().unwrap(),
                not_after: "2036-01-01T00:00:00Z".parse().unwrap(),
                is_ca: true,
                sha256: "AB:CD:EF:01:23:45:67:89:AB:CD:EF".into(),
            }],
            current: 2,
        };
        update(
            &mut s,
            Msg::Api(id, ApiResult::CaBundleRead(Ok(Box::new(bundle)))),
        );
    }
    v.push(("upload ca confirm", s));
    v.push(("expiring scanning", expiring(false)));
    v.push(("expiring scanned", expiring(true)));
    v
}

/// The expiring view mid-scan (one user answered) or done, with a
/// customer-CA project skipped, a user without certificates, a hostile name.
fn expiring(done: bool) -> State {
    use atlas_x509::app::ScanEvent;
    let cert = |id: u64, not_after: &str| atlas_client::UserCert {
        id,
        created_at: "2026-08-22T00:00:00Z".parse().unwrap(),
        group_id: None,
        not_after: not_after.parse().unwrap(),
        subject: "CN=x".into(),
    };
    let mut s = loaded(5);
    let Command::Scan { id, .. } = update(&mut s, ch('e')).remove(0) else {
        panic!()
    };
    let send = |s: &mut State, e: ScanEvent| {
        update(s, Msg::Api(id, ApiResult::Scan(e)));
    };
    send(&mut s, ScanEvent::Projects(2));
    let users = vec![
        "svc-billing".to_string(),
        format!("CN={HOSTILE}"),
        "fresh-service".to_string(),
    ];
    send(
        &mut s,
        ScanEvent::Project {
            id: P1.into(),
            name: "payments-prod".into(),
            users: users.clone(),
            over: 0,
        },
    );
    send(
        &mut s,
        ScanEvent::Failed {
            id: P2.into(),
            name: format!("orders-{HOSTILE}"),
            error: "RATE_LIMITED: Resource is limited to 100 requests every 1 minutes.".into(),
        },
    );
    let take = if done { users.len() } else { 1 };
    for user in users.into_iter().take(take) {
        let newest = match user.as_str() {
            "svc-billing" => Some(cert(11, "2026-12-01T00:00:00Z")),
            "fresh-service" => None,
            _ => Some(cert(12, "2027-08-22T00:00:00Z")),
        };
        send(
            &mut s,
            ScanEvent::User {
                project_id: P1.into(),
                project: "payments-prod".into(),
                username: user,
                newest: Ok(newest),
            },
        );
    }
    if done {
        send(&mut s, ScanEvent::Done);
    }
    s
}
