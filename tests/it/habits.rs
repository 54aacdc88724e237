//! What a k9s or lazygit hand expects: Enter drills in and Esc comes back,
//! PgDn means the same everywhere, `:` jumps by name, and the app opens
//! where it was left.

use crate::common;

use atlas_client::Page;
use atlas_x509::app::{ApiResult, Command, Env, Modal, Msg, Pane, Place, State, init, update};
use common::fixtures::*;
use crossterm::event::KeyCode;
use serde_json::json;

#[test]
fn enter_drills_in_and_esc_comes_back() {
    let mut s = loaded(3);
    assert_eq!(s.focus, Pane::Projects);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus, Pane::Users);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.focus, Pane::Certs);
    update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(s.modal, Some(Modal::CertDetail(_))),
        "in the certificates, Enter shows the details"
    );
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.focus, Pane::Users);
    // A filter is cleared first, then Esc goes back.
    update(&mut s, ch('/'));
    update(&mut s, ch('a'));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!((s.focus, s.users.filter.value()), (Pane::Users, ""));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.focus, Pane::Projects);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.focus, Pane::Projects, "nowhere further back");
}

#[test]
fn pgdn_moves_by_a_screen_everywhere_and_atlas_pages_have_their_own_keys() {
    let mut s = loaded(1201);
    s.focus = Pane::Certs;
    assert!(update(&mut s, key(KeyCode::PageDown)).is_empty());
    assert_eq!((s.certs.page, s.certs.selected), (1, 10));
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(s.certs.selected, 0);
    // By a screen of the pane as drawn: 80x24 stacks the panes.
    update(&mut s, Msg::Resize(80, 24));
    let rows = atlas_x509::layout::pane_rows((80, 24), 2).unwrap();
    assert!(rows < 10, "{rows}");
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.certs.selected, usize::from(rows));
    update(&mut s, key(KeyCode::PageUp));
    let cmds = update(&mut s, ch('N'));
    let Command::FetchCerts { page, .. } = only(&cmds) else {
        panic!("{cmds:?}")
    };
    assert_eq!((page.page_num, s.certs.page), (13, 13), "the last page");
    update(&mut s, ch('P'));
    assert_eq!(s.certs.page, 1, "the first page is held");
    let cmds = update(&mut s, ch('n'));
    assert!(!cmds.is_empty());
    assert_eq!(s.certs.page, 2);
    update(&mut s, ch('['));
    assert_eq!(s.certs.page, 1);
}

fn typed(s: &mut State, text: &str) -> Vec<Command> {
    let mut out = update(s, ch(':'));
    for c in text.chars() {
        out.extend(update(s, ch(c)));
    }
    out
}

#[test]
fn the_command_line_jumps_by_name_and_says_why_not() {
    let mut s = loaded(3);
    typed(&mut s, "project orders");
    let cmds = update(&mut s, key(KeyCode::Enter));
    assert!(s.modal.is_none());
    assert_eq!(s.selected_project().unwrap().id, P2);
    assert_eq!(s.focus, Pane::Users);
    assert!(
        cmds.is_empty() && s.users_due.is_some(),
        "its users are read after the debounce"
    );

    // A prefix of the command and a prefix of the name; Tab completes.
    let mut s = loaded(3);
    typed(&mut s, "p sand");
    update(&mut s, key(KeyCode::Tab));
    let Some(Modal::Command(line)) = &s.modal else {
        panic!()
    };
    assert_eq!(line.input.value(), "project sandbox");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.selected_project().unwrap().id, P3);

    // Nothing matches: said, nothing runs, the line stays for fixing.
    let mut s = loaded(3);
    typed(&mut s, "project nope");
    update(&mut s, key(KeyCode::Enter));
    let Some(Modal::Command(line)) = &s.modal else {
        panic!("the line stays open")
    };
    assert!(line.refused);
    assert!(
        line.note
            .as_deref()
            .unwrap()
            .contains("no loaded project matches"),
        "{:?}",
        line.note
    );
    assert_eq!(s.selected_project().unwrap().id, P1);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());

    // Several match: listed, nothing chosen.
    let mut s = loaded(3);
    typed(&mut s, "user a");
    update(&mut s, key(KeyCode::Enter));
    let Some(Modal::Command(line)) = &s.modal else {
        panic!()
    };
    assert!(
        line.note.as_deref().unwrap().contains("users match"),
        "{:?}",
        line.note
    );

    // A user by its DN, and the certificates pane focused.
    let mut s = loaded(3);
    typed(&mut s, "user CN=app,OU=ops,O=acme");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        s.selected_user().unwrap().username(),
        "CN=app,OU=ops,O=acme"
    );
    assert_eq!(s.focus, Pane::Certs);

    let mut s = loaded(3);
    typed(&mut s, "zap");
    update(&mut s, key(KeyCode::Enter));
    let Some(Modal::Command(line)) = &s.modal else {
        panic!()
    };
    assert!(line.note.as_deref().unwrap().contains("try project"));
    let mut s = loaded(3);
    typed(&mut s, "expiring");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.expiring.as_ref().is_some_and(|v| v.shown));
}

fn project_page(from: u32, n: u32, total: u32) -> Page<atlas_client::Project> {
    let results: Vec<_> = (from..from + n)
        .map(|i| json!({"id": format!("{i:024x}"), "name": format!("project-{i}"), "clusterCount": 1}))
        .collect();
    serde_json::from_value(json!({"results": results, "totalCount": total})).unwrap()
}

fn starting_at(place: Place) -> State {
    State::new(
        Env {
            start: Some(place),
            ..env()
        },
        "2026-11-22T00:00:00Z".parse().unwrap(),
    )
}

#[test]
fn the_app_opens_where_it_was_left_even_on_a_later_page() {
    let want = format!("{:024x}", 150);
    let mut s = starting_at(Place {
        project: want.clone(),
        user: Some("alice".into()),
        pane: Pane::Certs,
        remembered: true,
    });
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::Projects(Ok(project_page(0, 100, 300)))),
    );
    let Command::FetchProjects { id, page } = only(&cmds).clone() else {
        panic!("the next page is read, nothing else: {cmds:?}")
    };
    assert_eq!(page.page_num, 2);
    assert!(
        s.users_owner.is_none(),
        "the first project is not loaded for nothing"
    );
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::Projects(Ok(project_page(100, 100, 300)))),
    );
    let Command::FetchUsers { id, group_id, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert_eq!(group_id, want);
    assert_eq!(s.selected_project().unwrap().name, "project-150");
    let cmds = update(&mut s, Msg::Api(id, ApiResult::Users(Ok(users()))));
    let Command::FetchCerts { username, .. } = only(&cmds) else {
        panic!("{cmds:?}")
    };
    assert_eq!(username, "alice");
    assert_eq!(s.focus, Pane::Certs);
    let kept = s.place().unwrap();
    assert_eq!(
        (kept.project.as_str(), kept.user.as_deref(), kept.pane),
        (want.as_str(), Some("alice"), Pane::Certs)
    );
}

#[test]
fn a_remembered_place_that_is_gone_opens_quietly_at_the_top() {
    let mut s = starting_at(Place {
        project: "ffffffffffffffffffffffff".into(),
        user: None,
        pane: Pane::Users,
        remembered: true,
    });
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    let cmds = update(&mut s, Msg::Api(id, ApiResult::Projects(Ok(projects()))));
    assert!(matches!(only(&cmds), Command::FetchUsers { .. }));
    assert_eq!(s.selected_project().unwrap().id, P1);
    assert!(
        s.status.is_none(),
        "nothing to warn about: it was not asked for"
    );
}

#[test]
fn a_project_asked_for_by_name_opens_like_one_asked_for_by_id() {
    let mut s = starting_at(Place::project("project-120"));
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::Projects(Ok(project_page(0, 100, 300)))),
    );
    let Command::FetchProjects { id, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::Projects(Ok(project_page(100, 100, 300)))),
    );
    assert!(matches!(only(&cmds), Command::FetchUsers { .. }));
    assert_eq!(s.selected_project().unwrap().name, "project-120");
    assert_eq!(s.focus, Pane::Users);
}

#[test]
fn moving_first_ends_the_search_where_the_user_is() {
    let mut s = starting_at(Place::project(format!("{:024x}", 250)));
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    update(
        &mut s,
        Msg::Api(id, ApiResult::Projects(Ok(project_page(0, 100, 300)))),
    );
    update(&mut s, ch('j'));
    assert!(s.seeking.is_none());
    assert_eq!(s.selected_project().unwrap().name, "project-1");
    assert_eq!(
        s.users_owner.as_deref(),
        Some(format!("{:024x}", 1).as_str())
    );
}

fn copied(s: &mut State, cmds: &[Command]) -> String {
    let Command::CopyText { id, text } = only(cmds).clone() else {
        panic!("{cmds:?}")
    };
    let how = atlas_x509::app::msg::Copied {
        how: "to the clipboard".into(),
        to_terminal: None,
    };
    update(s, Msg::Api(id, ApiResult::Copied(Ok(how))));
    text
}

#[test]
fn the_serial_fingerprint_and_mongosh_command_are_copied_by_key() {
    let mut s = loaded(3);
    s.focus = Pane::Certs;
    update(&mut s, key(KeyCode::Enter));
    let cmds = update(&mut s, ch('#'));
    assert_eq!(copied(&mut s, &cmds), "1000");
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("Copied the serial"),
        "{:?}",
        s.status
    );
    assert!(
        matches!(s.modal, Some(Modal::CertDetail(_))),
        "the details stay"
    );
    let cmds = update(&mut s, ch('M'));
    let command = copied(&mut s, &cmds);
    assert!(
        command.starts_with("mongosh ")
            && command.contains("--tlsCertificateKeyFile alice-1000.pem"),
        "{command}"
    );

    // The PEM dialog: the new certificate's serial, fingerprint, command.
    let mut s = loaded(3);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    let Command::CreateCert { id, .. } = update(&mut s, key(KeyCode::Enter)).remove(0) else {
        panic!()
    };
    let answer = issued();
    let (serial, sha) = {
        let i = answer.info.as_ref().unwrap();
        (i.serial.to_string(), i.sha256.clone())
    };
    update(&mut s, Msg::Api(id, ApiResult::Issued(Ok(answer))));
    let cmds = update(&mut s, ch('#'));
    assert_eq!(copied(&mut s, &cmds), serial);
    let cmds = update(&mut s, ch('F'));
    assert_eq!(copied(&mut s, &cmds), sha);
    let cmds = update(&mut s, ch('M'));
    assert!(copied(&mut s, &cmds).contains("--authenticationMechanism MONGODB-X509"));
    let Some(Modal::Pem(m)) = &s.modal else {
        panic!("the dialog stays, the key still unsaved")
    };
    assert!(
        m.copied.is_none(),
        "copying a serial is not handing the key over"
    );
}
