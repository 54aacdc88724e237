//! The TUI's lifecycle dialogs as a state machine: adding an X.509 user
//! (then its first certificate) and uploading a customer CA.

use crate::common;

use atlas_x509::app::state::CreateStage;
use atlas_x509::app::{ApiResult, Command, Modal, Msg, Pane, State, update};
use common::fixtures::*;
use crossterm::event::KeyCode;

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        update(s, ch(c));
    }
}

fn create_dialog() -> State {
    let mut s = loaded(3);
    s.focus = Pane::Users;
    update(&mut s, ch('a'));
    assert!(
        matches!(s.modal, Some(Modal::CreateUser(_))),
        "{:?}",
        s.modal
    );
    s
}

#[test]
fn a_user_is_created_once_then_offered_its_first_certificate() {
    let mut s = create_dialog();
    typed(&mut s, "svc-billing");
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "billing, clusterMonitor");
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::CreateUser { id, group_id, user } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert_eq!(group_id, P1);
    assert_eq!(user.username, "svc-billing");
    let roles: Vec<(String, String)> = user
        .roles
        .iter()
        .map(|r| (r.role_name.clone(), r.database_name.clone()))
        .collect();
    assert_eq!(
        roles,
        [
            ("readWrite".into(), "billing".into()),
            ("clusterMonitor".into(), "admin".into())
        ]
    );
    // Enter again while it runs sends nothing more.
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let made = serde_json::from_value(serde_json::json!({
        "username": "svc-billing", "databaseName": "$external", "x509Type": "MANAGED"
    }))
    .unwrap();
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::UserCreated(Ok(Box::new(made)))),
    );
    let Command::FetchUsers { id: list_id, .. } = only(&cmds).clone() else {
        panic!("the list is read again: {cmds:?}")
    };
    let mut page = users();
    page.results.push(
        serde_json::from_value(serde_json::json!({
            "username": "svc-billing", "databaseName": "$external", "x509Type": "MANAGED"
        }))
        .unwrap(),
    );
    update(&mut s, Msg::Api(list_id, ApiResult::Users(Ok(page))));
    assert_eq!(
        s.selected_user().map(|u| u.username()),
        Some("svc-billing"),
        "the new user is selected, not the one before"
    );
    let Some(Modal::CreateUser(m)) = &s.modal else {
        panic!()
    };
    assert_eq!(
        m.stage,
        CreateStage::Created {
            username: "svc-billing".into()
        }
    );
    update(&mut s, ch('y'));
    let Some(Modal::Issue(i)) = &s.modal else {
        panic!("{:?}", s.modal)
    };
    assert_eq!(
        (i.username.as_str(), i.group_id.as_str(), i.months),
        ("svc-billing", P1, 3)
    );
}

#[test]
fn bad_roles_and_refusals_are_said_and_the_form_kept() {
    // A DN is a CUSTOMER user's name: refused locally, nothing sent.
    let mut s = create_dialog();
    typed(&mut s, "CN=a,O=acme");
    update(&mut s, key(KeyCode::Tab));
    typed(&mut s, "app");
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let Some(Modal::CreateUser(m)) = &s.modal else {
        panic!()
    };
    assert!(
        m.error.as_deref().unwrap().contains("longer DN"),
        "{:?}",
        m.error
    );

    let mut s = create_dialog();
    typed(&mut s, "svc-a");
    update(&mut s, key(KeyCode::Tab));
    // "readWrite@" is prefilled: with no database it is refused locally.
    let cmds = update(&mut s, key(KeyCode::Enter));
    assert!(cmds.is_empty());
    let Some(Modal::CreateUser(m)) = &s.modal else {
        panic!()
    };
    assert!(
        m.error
            .as_deref()
            .unwrap()
            .contains("write the database after @"),
        "{:?}",
        m.error
    );
    typed(&mut s, "app");
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::CreateUser { id, .. } = only(&cmds).clone() else {
        panic!()
    };
    let e = "ATLAS_MANAGED_X509_NAME_INVALID: The username svc-a is invalid".to_string();
    update(&mut s, Msg::Api(id, ApiResult::UserCreated(Err(e))));
    let Some(Modal::CreateUser(m)) = &s.modal else {
        panic!()
    };
    assert_eq!(m.stage, CreateStage::Form);
    assert!(
        m.error
            .as_deref()
            .unwrap()
            .contains("ATLAS_MANAGED_X509_NAME_INVALID")
    );
    assert_eq!(m.username.value(), "svc-a", "nothing typed is lost");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
}

fn bundle(current: usize) -> atlas_x509::app::CaBundle {
    atlas_x509::app::CaBundle {
        path: "/keys/acme-ca.pem".into(),
        text: "-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----\n".into(),
        cas: vec![atlas_client::bundle::CaInfo {
            subject: "CN=Acme Root CA, O=Acme".into(),
            not_before: "2026-01-01T00:00:00Z".parse().unwrap(),
            not_after: "2036-01-01T00:00:00Z".parse().unwrap(),
            is_ca: true,
            sha256: "AB:CD:EF:01:23:45:67:89:AB:CD:EF".into(),
        }],
        current,
    }
}

#[test]
fn a_customer_ca_is_read_shown_and_sent_only_after_the_name() {
    use atlas_x509::app::state::UploadStage;
    let mut s = loaded(3);
    update(&mut s, ch('C'));
    typed(&mut s, "~/keys/acme-ca.pem");
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::ReadCaBundle { id, group_id, path } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (group_id.as_str(), path.to_str().unwrap()),
        (P1, "~/keys/acme-ca.pem")
    );
    // A bundle that does not read goes back to the path, said.
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::CaBundleRead(Err("no PEM certificate".into())),
        ),
    );
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::ReadCaBundle { id, .. } = only(&cmds).clone() else {
        panic!()
    };
    update(
        &mut s,
        Msg::Api(id, ApiResult::CaBundleRead(Ok(Box::new(bundle(0))))),
    );
    let Some(Modal::Upload(m)) = &s.modal else {
        panic!()
    };
    assert!(matches!(m.stage, UploadStage::Confirm { .. }));
    typed(&mut s, "payments");
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "not the name yet"
    );
    typed(&mut s, "-prod");
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::SetCustomerX509 { id, cas, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert!(cas.contains("BEGIN CERTIFICATE"));
    let sec = serde_json::from_value(serde_json::json!({"customerX509": {"cas": cas}})).unwrap();
    update(&mut s, Msg::Api(id, ApiResult::CustomerX509Set(Ok(sec))));
    let Some(Modal::Upload(m)) = &s.modal else {
        panic!()
    };
    assert!(matches!(m.stage, UploadStage::Done { count: 1 }));
    update(&mut s, key(KeyCode::Enter));
    assert!(s.modal.is_none());
}

/// An error shown inside a dialog (cut by its border on a small screen)
/// is also in the message list, whole, once.
#[test]
fn a_dialogs_error_goes_to_the_message_list_whole() {
    let mut s = create_dialog();
    typed(&mut s, "svc-billing");
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "billing");
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::CreateUser { id, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    let long = format!(
        "USER_ALREADY_EXISTS (409): The specified user already exists. {}end",
        "detail ".repeat(40)
    );
    update(
        &mut s,
        Msg::Api(id, ApiResult::UserCreated(Err(long.clone()))),
    );
    assert!(matches!(s.modal, Some(Modal::CreateUser(_))));
    let logged: Vec<_> = s
        .messages
        .newest_first()
        .filter(|m| m.text.contains("USER_ALREADY_EXISTS"))
        .collect();
    assert_eq!(logged.len(), 1, "once");
    assert_eq!(logged[0].text, format!("Add user: {long}"));
    // A key that leaves the error standing logs nothing more.
    update(&mut s, key(KeyCode::Left));
    assert_eq!(
        s.messages
            .newest_first()
            .filter(|m| m.text.contains("USER_ALREADY_EXISTS"))
            .count(),
        1
    );
}

/// The disable dialog lists the CAs it would clear and keeps them in a
/// file first when asked; the name typed so far is not lost.
#[test]
fn the_disable_dialog_lists_the_cas_and_saves_them_first() {
    use atlas_x509::app::DisableStage;
    use crossterm::event::{KeyEvent, KeyModifiers};
    let mut s = loaded(3);
    let Command::FetchSecurity { id, .. } = update(&mut s, ch('X')).remove(0) else {
        panic!()
    };
    let sec = serde_json::from_value(
        serde_json::json!({"customerX509": {"cas": common::gallery::TWO_CAS}}),
    )
    .unwrap();
    update(&mut s, Msg::Api(id, ApiResult::Security(Ok(sec))));
    let Some(Modal::Disable(m)) = &s.modal else {
        panic!()
    };
    let DisableStage::Confirm { cas, .. } = &m.stage else {
        panic!("{:?}", m.stage)
    };
    let subjects: Vec<_> = cas
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.subject.clone())
        .collect();
    assert_eq!(subjects.len(), 2);
    assert!(subjects[0].contains("Acme Root CA"), "{subjects:?}");
    typed(&mut s, "pay");
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
    );
    typed(&mut s, "x");
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::SaveCaBundle { id, path, text } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert_eq!(path.to_str().unwrap(), "./payments-prod-ca.pemx");
    assert_eq!(&*text, common::gallery::TWO_CAS);
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::CaBundleSaved(Err("it already exists".into())),
        ),
    );
    let Some(Modal::Disable(m)) = &s.modal else {
        panic!()
    };
    assert!(m.note.as_deref().unwrap().contains("already exists"));
    assert!(m.save_path.is_some(), "the path stays for another name");
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::SaveCaBundle { id, path, .. } = only(&cmds).clone() else {
        panic!()
    };
    update(&mut s, Msg::Api(id, ApiResult::CaBundleSaved(Ok(path))));
    let Some(Modal::Disable(m)) = &s.modal else {
        panic!()
    };
    assert!(m.save_path.is_none() && m.saved.is_some());
    let DisableStage::Confirm { typed, .. } = &m.stage else {
        panic!()
    };
    assert_eq!(typed.value(), "pay", "the name typed so far is kept");
}
