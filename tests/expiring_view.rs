//! The expiring view's state machine: scanning as commands and answers,
//! bounded in flight, results as they arrive, rescans that keep what was
//! shown, the scope toggle, and rotation from a row.

mod common;

use atlas_x509::app::expiring::SCAN_AT_ONCE;
use atlas_x509::app::{ApiResult, Command, Modal, Msg, ProjectScan, State, update};
use atlas_x509::atlas::UserCert;
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

fn project_ids(cmds: &[Command]) -> Vec<(u64, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::ScanProject { id, group_id } => Some((*id, group_id.clone())),
            _ => None,
        })
        .collect()
}

fn user_ids(cmds: &[Command]) -> Vec<(u64, String)> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::ScanUser { id, username, .. } => Some((*id, username.clone())),
            _ => None,
        })
        .collect()
}

/// `e` on the loaded panes, the project list answered: project scans out.
fn opened() -> (State, Vec<(u64, String)>) {
    let mut s = loaded(3);
    let cmds = update(&mut s, ch('e'));
    let Command::ScanProjects { id } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    let list = vec![
        (P1.to_string(), "payments-prod".to_string()),
        (P2.to_string(), "orders-staging".to_string()),
        (P3.to_string(), "sandbox".to_string()),
    ];
    let cmds = answer(&mut s, id, ApiResult::ScanProjects(Ok(list)));
    (s, project_ids(&cmds))
}

fn users_of(names: &[&str]) -> ApiResult {
    ApiResult::ScanProject(Ok(ProjectScan {
        customer_ca: false,
        managed_users: names.iter().map(|n| n.to_string()).collect(),
    }))
}

#[test]
fn a_scan_is_bounded_and_rows_appear_soonest_first() {
    let (mut s, projects) = opened();
    assert_eq!(projects.len(), 3, "three projects, under the bound");
    assert!(s.expiring.as_ref().unwrap().shown);
    let many: Vec<String> = (0..10).map(|i| format!("svc-{i}")).collect();
    let names: Vec<&str> = many.iter().map(String::as_str).collect();
    let cmds = answer(&mut s, projects[0].0, users_of(&names));
    // Two project scans are still in flight: two user scans fit.
    let mut pending = user_ids(&cmds);
    assert_eq!(pending.len(), SCAN_AT_ONCE - 2);
    let cmds = answer(
        &mut s,
        projects[1].0,
        ApiResult::ScanProject(Ok(ProjectScan {
            customer_ca: true,
            managed_users: vec![],
        })),
    );
    pending.extend(user_ids(&cmds));
    let cmds = answer(&mut s, projects[2].0, users_of(&[]));
    pending.extend(user_ids(&cmds));
    let first = user_ids(&{
        let (id, _) = pending.remove(0);
        answer(
            &mut s,
            id,
            ApiResult::ScanUser(Ok(Some(cert(1, "2027-06-01T00:00:00Z")))),
        )
    });
    assert_eq!(first.len(), 1, "one answer, one more request");
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 1, "results appear as they arrive");
    assert!(v.scanning());
    assert_eq!(v.skipped, vec!["orders-staging: customer CA".to_string()]);
    // Answer everything: the soonest, and the user with none, come first.
    pending.extend(first);
    let mut n = 2u64;
    while let Some((id, user)) = pending.pop() {
        let r = match user.as_str() {
            "svc-3" => None,
            "svc-5" => Some(cert(n, "2026-12-01T00:00:00Z")),
            _ => Some(cert(n, "2027-03-01T00:00:00Z")),
        };
        n += 1;
        pending.extend(user_ids(&answer(&mut s, id, ApiResult::ScanUser(Ok(r)))));
        let v = s.expiring.as_ref().unwrap();
        assert!(v.scan_in_flight() <= SCAN_AT_ONCE);
    }
    let v = s.expiring.as_ref().unwrap();
    assert!(!v.scanning(), "done");
    assert_eq!(v.rows.len(), 10);
    assert_eq!(v.rows[0].username, "svc-3");
    assert!(v.rows[0].newest.is_none());
    assert_eq!(v.rows[1].username, "svc-5");
    assert_eq!(v.progress.users_done, 10);
    assert_eq!(v.progress.projects_done, 3);
}

#[test]
fn a_rescan_keeps_rows_until_answers_replace_them_and_drops_stale_answers() {
    let (mut s, projects) = opened();
    let cmds = answer(&mut s, projects[0].0, users_of(&["a", "b"]));
    let users = user_ids(&cmds);
    for (id, _) in &users {
        answer(
            &mut s,
            *id,
            ApiResult::ScanUser(Ok(Some(cert(*id, "2027-01-01T00:00:00Z")))),
        );
    }
    for (id, _) in &projects[1..] {
        answer(&mut s, *id, users_of(&[]));
    }
    assert_eq!(s.expiring.as_ref().unwrap().rows.len(), 2);
    // Rescan: the rows stay, stale.
    let cmds = update(&mut s, ch('r'));
    let Command::ScanProjects { id } = only(&cmds).clone() else {
        panic!()
    };
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 2);
    assert!(v.rows.iter().all(|r| r.stale));
    // An answer to the superseded scan changes nothing.
    answer(&mut s, users[0].0, ApiResult::ScanUser(Ok(None)));
    assert!(
        s.expiring
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .all(|r| r.newest.is_some())
    );
    let list = vec![(P1.to_string(), "payments-prod".to_string())];
    let cmds = answer(&mut s, id, ApiResult::ScanProjects(Ok(list)));
    let (pid, _) = project_ids(&cmds)[0].clone();
    // "b" is no longer MANAGED: its row goes; "a" stays stale until answered.
    let cmds = answer(&mut s, pid, users_of(&["a", "a"]));
    let again = user_ids(&cmds);
    assert_eq!(again.len(), 1, "a user listed twice is scanned once");
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.rows.len(), 1);
    assert!(v.rows[0].stale);
    answer(
        &mut s,
        again[0].0,
        ApiResult::ScanUser(Ok(Some(cert(99, "2026-12-24T00:00:00Z")))),
    );
    let v = s.expiring.as_ref().unwrap();
    assert!(!v.rows[0].stale && v.rows[0].newest.as_ref().unwrap().id == 99);
}

#[test]
fn the_scope_toggles_to_the_selected_project_and_back() {
    let (mut s, projects) = opened();
    for (id, _) in &projects {
        answer(&mut s, *id, users_of(&[]));
    }
    let cmds = update(&mut s, ch('t'));
    let (_, gid) = project_ids(&cmds).remove(0);
    assert_eq!(gid, P1, "the project selected in the panes");
    assert!(!s.expiring.as_ref().unwrap().all_projects);
    let cmds = update(&mut s, ch('t'));
    assert!(matches!(only(&cmds), Command::ScanProjects { .. }));
}

#[test]
fn enter_rotates_with_the_same_validity_and_the_row_shows_the_replacement() {
    let (mut s, projects) = opened();
    let cmds = answer(&mut s, projects[0].0, users_of(&["alice"]));
    let (uid, _) = user_ids(&cmds)[0].clone();
    let mut six_months = cert(7, "2027-04-22T01:00:00Z");
    six_months.created_at = "2026-10-22T00:00:00Z".parse().unwrap();
    answer(&mut s, uid, ApiResult::ScanUser(Ok(Some(six_months))));
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
    let (mut s, projects) = opened();
    let cmds = answer(&mut s, projects[0].0, users_of(&["alice"]));
    let (uid, _) = user_ids(&cmds)[0].clone();
    answer(&mut s, uid, ApiResult::ScanUser(Ok(None)));
    update(&mut s, key(KeyCode::Esc));
    assert!(!s.expiring.as_ref().unwrap().shown);
    // Keys reach the panes again.
    update(&mut s, ch('j'));
    let cmds = update(&mut s, ch('e'));
    assert!(matches!(only(&cmds), Command::ScanProjects { .. }));
    let v = s.expiring.as_ref().unwrap();
    assert!(v.shown && v.rows.len() == 1 && v.rows[0].stale);
}

#[test]
fn a_server_cannot_make_a_scan_hold_more_than_its_bound() {
    use atlas_x509::app::expiring::MAX_SCAN_USERS;
    let (mut s, projects) = opened();
    let many: Vec<String> = (0..MAX_SCAN_USERS + 5).map(|i| format!("u{i}")).collect();
    let scan = ApiResult::ScanProject(Ok(ProjectScan {
        customer_ca: false,
        managed_users: many,
    }));
    answer(&mut s, projects[0].0, scan);
    let again = ApiResult::ScanProject(Ok(ProjectScan {
        customer_ca: false,
        managed_users: vec!["one-more".into()],
    }));
    answer(&mut s, projects[1].0, again);
    let v = s.expiring.as_ref().unwrap();
    assert_eq!(v.progress.users_total, MAX_SCAN_USERS);
    assert_eq!(v.errors.len(), 2, "{:?}", v.errors);
    assert!(v.errors[0].contains("the rest are not shown"));
}

#[test]
fn an_answer_for_another_subject_renews_no_row() {
    let (mut s, projects) = opened();
    let cmds = answer(&mut s, projects[0].0, users_of(&["alice"]));
    let (uid, _) = user_ids(&cmds)[0].clone();
    answer(
        &mut s,
        uid,
        ApiResult::ScanUser(Ok(Some(cert(7, "2027-04-22T01:00:00Z")))),
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
