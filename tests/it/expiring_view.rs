//! The expiring view's state machine: one scan command, results as they
//! arrive, rescans that keep what was shown, the scope toggle, and
//! rotation from a row.

use crate::common;

use atlas_client::UserCert;
use atlas_x509::app::{ApiResult, Command, Modal, Msg, ScanEvent, State, update};
use common::fixtures::*;
use crossterm::event::KeyCode;

fn cert(id: u64, not_after: &str) -> UserCert {
    UserCert {
        id,
        created_at: "2026-10-22T00:00:00Z".parse().unwrap(),
        group_id: None,
        not_after: not_after.parse().unwrap(),
        subject: "CN=x".into(),
    }
}

fn answer(s: &mut State, id: u64, r: ApiResult) -> Vec<Command> {
    update(s, Msg::Api(id, r))
}

fn ev(s: &mut State, id: u64, e: ScanEvent) {
    let cmds = answer(s, id, ApiResult::Scan(e));
    assert!(cmds.is_empty(), "a scan result sends nothing: {cmds:?}");
}

fn project(id: &str, name: &str, users: &[&str]) -> ScanEvent {
    ScanEvent::Project {
        id: id.into(),
        name: name.into(),
        users: users.iter().map(|u| u.to_string()).collect(),
        over: 0,
    }
}

fn user(pid: &str, name: &str, username: &str, newest: Option<UserCert>) -> ScanEvent {
    ScanEvent::User {
        project_id: pid.into(),
        project: name.into(),
        username: username.into(),
        newest: Ok(newest),
    }
}

/// `e` on the loaded panes: one scan of every project, at the bound the
/// user set (`--concurrency`).
fn opened() -> (State, u64) {
    let mut s = loaded(3);
    let cmds = update(&mut s, ch('e'));
    let Command::Scan {
        id,
        project: None,
        concurrency,
    } = only(&cmds).clone()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(concurrency, s.env.concurrency);
    ev(&mut s, id, ScanEvent::Projects(3));
    (s, id)
}

/// `r`: a fresh scan, its request id.
fn rescan(s: &mut State) -> u64 {
    let cmds = update(s, ch('r'));
    let Command::Scan { id, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    id
}

/// A scan of one project with one user "a" (no certificate), done, and
/// a rescan begun: its request id.
fn one_user_scanned_then_rescan() -> (State, u64) {
    let (mut s, id) = opened();
    ev(&mut s, id, project(P1, "payments-prod", &["a"]));
    ev(&mut s, id, user(P1, "payments-prod", "a", None));
    ev(&mut s, id, ScanEvent::Done);
    let id = rescan(&mut s);
    (s, id)
}

#[test]
fn rows_appear_soonest_first_as_results_arrive() {
    let (mut s, id) = opened();
    assert!(s.expiring.as_ref().unwrap().shown);
    let many: Vec<String> = (0..10).map(|i| format!("svc-{i}")).collect();
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    ev(&mut s, id, project(P1, "payments-prod", &names));
    ev(
        &mut s,
        id,
        ScanEvent::Skipped {
            id: P2.into(),
            name: "orders-staging".into(),
        },
    );
    ev(&mut s, id, project(P3, "sandbox", &[]));
    ev(
        &mut s,
        id,
        user(
            P1,
            "payments-prod",
            "svc-0",
            Some(cert(1, "2027-06-01T00:00:00Z")),
        ),
    );
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 1, "results appear as they arrive");
    assert!(v.scanning());
    assert_eq!(v.skipped, vec!["orders-staging: customer CA".to_string()]);
    assert_eq!(v.progress.projects_done, 3);
    assert_eq!((v.progress.users_done, v.progress.users_total), (1, 10));
    for (n, u) in many.iter().enumerate().skip(1) {
        let c = match u.as_str() {
            "svc-3" => None,
            "svc-5" => Some(cert(n as u64, "2026-12-01T00:00:00Z")),
            _ => Some(cert(n as u64, "2027-03-01T00:00:00Z")),
        };
        ev(&mut s, id, user(P1, "payments-prod", u, c));
    }
    ev(&mut s, id, ScanEvent::Done);
    let v = s.expiring.as_ref().unwrap();
    assert!(!v.scanning(), "done");
    assert_eq!(v.rows.len(), 10);
    assert_eq!(v.rows[0].username, "svc-3");
    assert!(v.rows[0].newest.is_none());
    assert_eq!(v.rows[1].username, "svc-5");
    assert_eq!(v.progress.users_done, 10);
}

#[test]
fn a_rescan_keeps_rows_until_answers_replace_them_and_drops_stale_answers() {
    let (mut s, id) = opened();
    ev(&mut s, id, project(P1, "payments-prod", &["a", "b"]));
    for (n, u) in ["a", "b"].iter().enumerate() {
        ev(
            &mut s,
            id,
            user(
                P1,
                "payments-prod",
                u,
                Some(cert(n as u64, "2027-01-01T00:00:00Z")),
            ),
        );
    }
    ev(&mut s, id, project(P2, "orders-staging", &["c"]));
    ev(&mut s, id, user(P2, "orders-staging", "c", None));
    ev(&mut s, id, project(P3, "sandbox", &[]));
    ev(&mut s, id, ScanEvent::Done);
    assert_eq!(s.expiring.as_ref().unwrap().rows.len(), 3);
    // Rescan: the rows stay, stale.
    let cmds = update(&mut s, ch('r'));
    let Command::Scan { id: again, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert_ne!(again, id);
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 3);
    assert!(v.rows.iter().all(|r| r.stale));
    // A result of the superseded scan changes nothing.
    ev(&mut s, id, user(P1, "payments-prod", "a", None));
    assert!(
        s.expiring
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .filter(|r| r.project_id == P1)
            .all(|r| r.newest.is_some())
    );
    ev(&mut s, again, ScanEvent::Projects(1));
    // "b" is no longer MANAGED: its row goes when the scan ends (one pass
    // over the rows, not one per project); "a" stays stale until answered.
    ev(&mut s, again, project(P1, "payments-prod", &["a"]));
    let v = s.expiring.as_ref().unwrap();
    assert!(v.rows.iter().all(|r| r.stale));
    ev(
        &mut s,
        again,
        user(
            P1,
            "payments-prod",
            "a",
            Some(cert(99, "2026-12-24T00:00:00Z")),
        ),
    );
    ev(&mut s, again, ScanEvent::Done);
    // "b" is gone, and P2 was not in this scan (gone from the
    // organisation): their rows go.
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 1, "{:?}", v.rows);
    assert!(!v.rows[0].stale && v.rows[0].newest.as_ref().unwrap().id == 99);
}

#[test]
fn a_project_that_cannot_be_read_keeps_its_rows_marked() {
    let (mut s, id) = one_user_scanned_then_rescan();
    ev(
        &mut s,
        id,
        ScanEvent::Failed {
            id: P1.into(),
            name: "payments-prod".into(),
            error: "RATE_LIMITED: try later".into(),
        },
    );
    ev(&mut s, id, ScanEvent::Done);
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 1);
    assert!(v.rows[0].stale, "shown as of the last scan");
    assert_eq!(
        v.errors,
        vec!["payments-prod: RATE_LIMITED: try later".to_string()]
    );
}

#[test]
fn the_scope_toggles_to_the_selected_project_and_back() {
    let (mut s, _) = opened();
    let cmds = update(&mut s, ch('t'));
    let Command::Scan {
        project: Some((gid, _)),
        ..
    } = only(&cmds).clone()
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(gid, P1, "the project selected in the panes");
    assert!(!s.expiring.as_ref().unwrap().all_projects);
    let cmds = update(&mut s, ch('t'));
    assert!(matches!(only(&cmds), Command::Scan { project: None, .. }));
}

#[test]
fn enter_rotates_with_the_same_validity_and_the_row_shows_the_replacement() {
    let (mut s, id) = opened();
    ev(&mut s, id, project(P1, "payments-prod", &["alice"]));
    let mut six_months = cert(7, "2027-04-22T01:00:00Z");
    six_months.created_at = "2026-10-22T00:00:00Z".parse().unwrap();
    ev(
        &mut s,
        id,
        user(P1, "payments-prod", "alice", Some(six_months)),
    );
    update(&mut s, key(KeyCode::Enter));
    let Some(Modal::Issue(m)) = &s.modal else {
        panic!("{:?}", s.modal)
    };
    assert_eq!(
        (m.group_id.as_str(), m.username.as_str(), m.months),
        (P1, "alice", 6)
    );
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::CreateCert { id, group_id, .. } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    assert_eq!(group_id, P1);
    answer(&mut s, id, ApiResult::Issued(Ok(issued())));
    assert!(
        matches!(s.modal, Some(Modal::Pem(_))),
        "the usual hand-over"
    );
    let row = &s.expiring.as_ref().unwrap().rows[0];
    assert!(row.rotated);
    assert_eq!(row.newest.as_ref().unwrap().id, 4242);
    assert_eq!(
        row.newest.as_ref().unwrap().not_after,
        "2027-05-22T00:00:00Z".parse().unwrap()
    );
}

#[test]
fn esc_returns_to_the_panes_and_e_brings_back_the_last_results() {
    let (mut s, id) = opened();
    ev(&mut s, id, project(P1, "payments-prod", &["alice"]));
    ev(&mut s, id, user(P1, "payments-prod", "alice", None));
    update(&mut s, key(KeyCode::Esc));
    assert!(!s.expiring.as_ref().unwrap().shown);
    // Keys reach the panes again.
    update(&mut s, ch('j'));
    let cmds = update(&mut s, ch('e'));
    assert!(matches!(only(&cmds), Command::Scan { project: None, .. }));
    let v = s.expiring.as_ref().unwrap();
    assert!(v.shown && v.rows.len() == 1 && v.rows[0].stale);
}

#[test]
fn users_past_the_scans_bound_are_said_not_dropped_in_silence() {
    let (mut s, id) = opened();
    ev(
        &mut s,
        id,
        ScanEvent::Project {
            id: P1.into(),
            name: "payments-prod".into(),
            users: vec!["a".into()],
            over: 5,
        },
    );
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.progress.users_total, 1);
    assert_eq!(v.errors.len(), 1, "{:?}", v.errors);
    assert!(v.errors[0].contains("5 are not shown"), "{:?}", v.errors);
}

#[test]
fn a_project_list_that_cannot_be_read_keeps_every_row() {
    let (mut s, id) = one_user_scanned_then_rescan();
    ev(
        &mut s,
        id,
        ScanEvent::Failed {
            id: String::new(),
            name: String::new(),
            error: "UNEXPECTED_ERROR (500)".into(),
        },
    );
    ev(&mut s, id, ScanEvent::Done);
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 1, "shown as of the last scan");
    assert!(v.rows[0].stale);
}

#[test]
fn a_scan_answer_under_way_does_not_undo_a_rotation() {
    let (mut s, id) = opened();
    ev(&mut s, id, project(P1, "payments-prod", &["alice"]));
    ev(
        &mut s,
        id,
        user(
            P1,
            "payments-prod",
            "alice",
            Some(cert(7, "2027-04-22T01:00:00Z")),
        ),
    );
    ev(&mut s, id, ScanEvent::Done);
    let id = rescan(&mut s);
    update(&mut s, key(KeyCode::Enter));
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::CreateCert { id: cid, .. } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    answer(&mut s, cid, ApiResult::Issued(Ok(issued())));
    // The rescan's answer for alice was read before the rotation.
    ev(
        &mut s,
        id,
        user(
            P1,
            "payments-prod",
            "alice",
            Some(cert(7, "2027-04-22T01:00:00Z")),
        ),
    );
    let row = &s.expiring.as_ref().unwrap().rows[0];
    assert!(row.rotated);
    assert_eq!(row.newest.as_ref().unwrap().id, 4242);
}

#[test]
fn an_answer_for_another_subject_renews_no_row() {
    let (mut s, id) = opened();
    ev(&mut s, id, project(P1, "payments-prod", &["alice"]));
    ev(
        &mut s,
        id,
        user(
            P1,
            "payments-prod",
            "alice",
            Some(cert(7, "2027-04-22T01:00:00Z")),
        ),
    );
    update(&mut s, key(KeyCode::Enter));
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::CreateCert { id, .. } = cmds[0].clone() else {
        panic!("{cmds:?}")
    };
    let mut wrong = issued();
    wrong.problem = Some("Atlas answered with a certificate that names \"CN=admin\"".into());
    answer(&mut s, id, ApiResult::Issued(Ok(wrong)));
    assert!(
        matches!(s.modal, Some(Modal::Pem(_))),
        "the key is still shown and kept"
    );
    let row = &s.expiring.as_ref().unwrap().rows[0];
    assert!(!row.rotated, "not counted as rotated");
    assert_eq!(row.newest.as_ref().unwrap().id, 7);
}

/// Rotating from the view refuses what `rotate` refuses: a validity that
/// buys less than a day over the certificate it replaces, with the months
/// that would do; more months, and it is sent.
#[test]
fn a_rotation_that_buys_nothing_is_refused_as_the_command_refuses_it() {
    let (mut s, id) = opened();
    ev(&mut s, id, project(P1, "payments-prod", &["alice"]));
    // The state's clock is 2026-11-22: a month from now is 2026-12-22.
    let mut one_month = cert(7, "2026-12-22T06:00:00Z");
    one_month.created_at = "2026-11-21T05:00:00Z".parse().unwrap();
    ev(
        &mut s,
        id,
        user(P1, "payments-prod", "alice", Some(one_month)),
    );
    update(&mut s, key(KeyCode::Enter));
    let Some(Modal::Issue(m)) = &s.modal else {
        panic!("{:?}", s.modal)
    };
    assert_eq!(m.months, 1);
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "nothing sent"
    );
    let Some(Modal::Issue(m)) = &s.modal else {
        panic!()
    };
    let note = m.note.as_deref().unwrap();
    assert!(
        note.contains("would buy nothing") && note.contains("use 2 months"),
        "{note}"
    );
    assert!(
        s.messages
            .newest_first()
            .any(|m| m.text.contains("would buy nothing")),
        "also in the message list"
    );
    update(&mut s, ch('l'));
    let cmds = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(cmds.first(), Some(Command::CreateCert { .. })),
        "{cmds:?}"
    );
}
