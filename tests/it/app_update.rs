//! The state machine, key by key, with no terminal and no network.

use crate::common;

use atlas_client::UserSecurity;
use atlas_x509::app::{
    ApiResult, Command, DisableStage, IssueFailure, Modal, Msg, Pane, PemPrompt, SaveOutcome,
    State, init, update,
};
use common::fixtures::*;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde_json::json;

#[test]
fn loading_flows_from_projects_to_certs() {
    let s = loaded(3);
    assert_eq!(s.projects.items.len(), 3);
    assert_eq!(s.users.items.len(), 3);
    assert_eq!(s.certs.rows().len(), 3);
    assert!(!s.busy());
}

#[test]
fn fast_scrolling_sends_one_request_after_the_debounce() {
    let mut s = loaded(3);
    let mut sent = vec![];
    for (i, _) in (0..5).enumerate() {
        sent.extend(update(&mut s, ch('j')));
        sent.extend(tick(&mut s, 20 * i as u64));
    }
    assert!(
        sent.is_empty(),
        "nothing while the selection moves: {sent:?}"
    );
    assert!(
        s.users.items.is_empty(),
        "old users are not shown for the new project"
    );
    let cmds = tick(&mut s, 80 + 150);
    let Command::FetchUsers { group_id, .. } = only(&cmds) else {
        panic!()
    };
    assert_eq!(group_id, P3, "only the last selection is fetched");
}

#[test]
fn results_for_a_selection_left_behind_are_dropped() {
    let mut s = loaded(3);
    update(&mut s, ch('j'));
    let Command::FetchUsers { id: first, .. } = only(&tick(&mut s, 1000)).clone() else {
        panic!()
    };
    update(&mut s, ch('j'));
    let Command::FetchUsers {
        id: second,
        group_id,
        ..
    } = only(&tick(&mut s, 2000)).clone()
    else {
        panic!()
    };
    assert_eq!(group_id, P3);
    update(&mut s, Msg::Api(first, ApiResult::Users(Ok(users()))));
    assert!(
        s.users.items.is_empty(),
        "a stale answer never reaches the screen"
    );
    update(&mut s, Msg::Api(second, ApiResult::Users(Ok(users()))));
    assert_eq!(s.users.items.len(), 3);
}

#[test]
fn focus_moves_both_ways() {
    let mut s = loaded(3);
    for (msg, want) in [
        (key(KeyCode::Tab), Pane::Users),
        (ch('l'), Pane::Certs),
        (key(KeyCode::Right), Pane::Projects),
        (key(KeyCode::BackTab), Pane::Certs),
        (ch('h'), Pane::Users),
        (key(KeyCode::Left), Pane::Projects),
    ] {
        update(&mut s, msg);
        assert_eq!(s.focus, want);
    }
}

#[test]
fn cert_pages_are_prefetched_and_flip_instantly() {
    let mut s = State::new(env(), "2026-11-22T00:00:00Z".parse().unwrap());
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    let Command::FetchUsers { id, .. } =
        update(&mut s, Msg::Api(id, ApiResult::Projects(Ok(projects())))).remove(0)
    else {
        panic!()
    };
    let Command::FetchCerts { id, .. } =
        update(&mut s, Msg::Api(id, ApiResult::Users(Ok(users())))).remove(0)
    else {
        panic!()
    };
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::Certs(1, Ok(certs(1, 100, 1201)))),
    );
    let Command::FetchCerts { id: pre, page, .. } = only(&cmds).clone() else {
        panic!()
    };
    assert_eq!(page.page_num, 2, "the next page is prefetched");
    assert_eq!(s.certs.page_count(), Some(13));
    update(
        &mut s,
        Msg::Api(pre, ApiResult::Certs(2, Ok(certs(2, 100, 1201)))),
    );
    s.focus = Pane::Certs;
    let cmds = update(&mut s, ch('n'));
    assert_eq!(s.certs.page, 2);
    assert_eq!(
        s.certs.rows()[0].id,
        1100,
        "page 2 shown at once from the cache"
    );
    let Command::FetchCerts { page, .. } = only(&cmds) else {
        panic!()
    };
    assert_eq!(page.page_num, 3);
    assert!(update(&mut s, ch('p')).is_empty(), "page 1 is cached");
    assert_eq!(s.certs.page, 1);
    assert!(update(&mut s, ch('p')).is_empty(), "no page 0");
    // Inside a page: j/k/G/g.
    update(&mut s, ch('G'));
    assert_eq!(s.certs.selected, 99);
    update(&mut s, ch('g'));
    assert_eq!(s.certs.selected, 0);
    // More per page reloads from page 1.
    let cmds = update(&mut s, ch('+'));
    let Command::FetchCerts { page, .. } = only(&cmds) else {
        panic!()
    };
    assert_eq!((page.page_num, page.items_per_page), (1, 200));
}

#[test]
fn issuing_is_explained_away_for_users_that_cannot_have_atlas_certs() {
    let mut s = loaded(3);
    s.focus = Pane::Users;
    update(&mut s, ch('j'));
    assert!(s.certs.note.as_deref().unwrap().contains("CUSTOMER"));
    assert!(
        tick(&mut s, 10_000).is_empty(),
        "nothing to fetch for a CUSTOMER user"
    );
    update(&mut s, ch('i'));
    assert!(s.modal.is_none());
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("customer-managed CA")
    );
}

fn open_issue(s: &mut State) {
    s.focus = Pane::Users;
    assert!(update(s, ch('i')).is_empty());
    assert!(matches!(s.modal, Some(Modal::Issue(_))));
}

fn months(s: &State) -> u8 {
    match &s.modal {
        Some(Modal::Issue(m)) => m.months,
        _ => panic!("no issue modal"),
    }
}

#[test]
fn the_months_slider() {
    let mut s = loaded(3);
    open_issue(&mut s);
    assert_eq!(months(&s), 3);
    update(&mut s, key(KeyCode::Right));
    assert_eq!(months(&s), 4);
    for _ in 0..6 {
        update(&mut s, ch('h'));
    }
    assert_eq!(months(&s), 1, "never below 1");
    update(&mut s, key(KeyCode::End));
    assert_eq!(months(&s), 24);
    update(&mut s, ch('l'));
    assert_eq!(months(&s), 24, "never above 24");
    update(&mut s, key(KeyCode::Home));
    assert_eq!(months(&s), 1);
    update(&mut s, ch('1'));
    update(&mut s, ch('2'));
    assert_eq!(months(&s), 12);
    update(&mut s, ch('5'));
    assert_eq!(months(&s), 12, "125 is refused, not silently 5");
    let note = |s: &State| match &s.modal {
        Some(Modal::Issue(m)) => m.note.clone().unwrap_or_default(),
        _ => panic!("no issue modal"),
    };
    assert!(
        note(&s).contains("from 1 to 24, not 125") && note(&s).contains("still 12 months"),
        "said in the words `issue --months` uses: {}",
        note(&s)
    );
    update(&mut s, ch('5'));
    assert_eq!(
        months(&s),
        5,
        "after a refusal the next digit starts afresh"
    );
    assert_eq!(note(&s), "", "the word goes with the next key");
    update(&mut s, key(KeyCode::Left));
    update(&mut s, ch('0'));
    assert_eq!(months(&s), 4, "a lone 0 is refused");
    assert!(note(&s).contains("not 0"), "{}", note(&s));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
}

#[test]
fn issuing_sends_once_and_keeps_the_modal_until_the_key_arrives() {
    let mut s = loaded(3);
    open_issue(&mut s);
    update(&mut s, ch('6'));
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::CreateCert {
        id,
        group_id,
        username,
        months,
    } = only(&cmds).clone()
    else {
        panic!()
    };
    assert_eq!(
        (group_id.as_str(), username.as_str(), months),
        (P1, "alice", 6)
    );
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "no double issue"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(
        matches!(s.modal, Some(Modal::Issue(_))),
        "the key is on its way"
    );
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(!s.quit, "quitting now would lose the key");

    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Issued(Err(IssueFailure {
                text: "CANNOT_GENERATE_CERT_IF_ADVANCED_X509 (400): …".into(),
                maybe_issued: false,
            })),
        ),
    );
    let Some(Modal::Issue(m)) = &s.modal else {
        panic!()
    };
    assert!(m.error.as_deref().unwrap().starts_with("CANNOT_GENERATE"));
    let cmds = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(only(&cmds), Command::CreateCert { .. }),
        "the user may try again by hand"
    );
}

fn with_pem() -> State {
    let mut s = loaded(3);
    open_issue(&mut s);
    let Command::CreateCert { id, .. } = update(&mut s, key(KeyCode::Enter)).remove(0) else {
        panic!()
    };
    let cmds = update(&mut s, Msg::Api(id, ApiResult::Issued(Ok(issued()))));
    let Command::FetchCerts { page, .. } = only(&cmds) else {
        panic!("the list refreshes: {cmds:?}")
    };
    assert_eq!(page.page_num, 1);
    assert!(s.certs.jump_to_last);
    s
}

fn pem_modal(s: &State) -> &atlas_x509::app::state::PemModal {
    match &s.modal {
        Some(Modal::Pem(m)) => m,
        other => panic!("no PEM modal: {other:?}"),
    }
}

#[test]
fn closing_an_unsaved_pem_asks_first() {
    let mut s = with_pem();
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        pem_modal(&s).prompt,
        PemPrompt::Discard { then_quit: false }
    );
    update(&mut s, ch('n'));
    assert_eq!(pem_modal(&s).prompt, PemPrompt::None);
    update(&mut s, ch('q'));
    update(&mut s, ch('y'));
    assert!(s.modal.is_none());
    assert!(!s.quit, "q in the dialog closes it, it does not quit");
}

#[test]
fn quitting_with_an_unsaved_pem_asks_first() {
    let mut s = with_pem();
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(!s.quit);
    assert_eq!(pem_modal(&s).prompt, PemPrompt::Discard { then_quit: true });
    update(&mut s, ch('y'));
    assert!(s.quit);
}

#[test]
fn saving_asks_before_overwriting_and_then_closes_freely() {
    let mut s = with_pem();
    update(&mut s, ch('s'));
    assert_eq!(pem_modal(&s).prompt, PemPrompt::SavePath);
    assert_eq!(pem_modal(&s).path.value(), "./alice-4242.pem");
    update(&mut s, Msg::Paste("x".into()));
    assert_eq!(pem_modal(&s).path.value(), "./alice-4242.pemx");
    update(&mut s, key(KeyCode::Backspace));
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::SavePem {
        id,
        path,
        overwrite,
        split,
        default_name,
        ..
    } = only(&cmds).clone()
    else {
        panic!()
    };
    assert_eq!(
        (path.to_str().unwrap(), overwrite, split),
        ("./alice-4242.pem", false, false)
    );
    assert_eq!(
        default_name, "alice-4242.pem",
        "the name used when the path is a directory"
    );
    update(
        &mut s,
        Msg::Api(id, ApiResult::Saved(SaveOutcome::Exists(path.clone()))),
    );
    assert_eq!(pem_modal(&s).prompt, PemPrompt::Overwrite(path.clone()));
    let cmds = update(&mut s, ch('y'));
    let Command::SavePem {
        id,
        overwrite,
        path: again,
        ..
    } = only(&cmds).clone()
    else {
        panic!()
    };
    assert!(overwrite);
    assert_eq!(
        again, path,
        "the typed path again, not the file that exists"
    );
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Saved(SaveOutcome::Failed(
                path.clone(),
                "permission denied".into(),
            )),
        ),
    );
    assert!(
        pem_modal(&s)
            .error
            .as_deref()
            .unwrap()
            .contains("permission denied")
    );
    assert_eq!(
        pem_modal(&s).prompt,
        PemPrompt::SavePath,
        "the user can retry another path"
    );
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::SavePem { id, .. } = only(&cmds).clone() else {
        panic!()
    };
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::Saved(SaveOutcome::Saved(vec![path]))),
    );
    assert!(pem_modal(&s).handed_over());
    let Command::ReleaseKey { path: kept, .. } = only(&cmds) else {
        panic!("saved: the written-ahead copy goes: {cmds:?}")
    };
    assert!(kept.ends_with("20261121T230000Z-alice.pem"));
    assert_eq!(pem_modal(&s).held, atlas_x509::app::Held::Released);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none(), "saved: no question");
}

#[test]
fn tab_switches_to_separate_cert_and_key_files() {
    let mut s = with_pem();
    update(&mut s, ch('s'));
    update(&mut s, key(KeyCode::Tab));
    assert!(pem_modal(&s).split);
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::SavePem { id, split, .. } = only(&cmds).clone() else {
        panic!()
    };
    assert!(split);
    let files = vec!["./alice-4242.crt".into(), "./alice-4242.key".into()];
    update(
        &mut s,
        Msg::Api(id, ApiResult::Saved(SaveOutcome::Saved(files))),
    );
    assert_eq!(pem_modal(&s).saved_to.len(), 2);
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("alice-4242.crt and ./alice-4242.key")
    );
}

#[test]
fn copying_counts_as_handing_over() {
    let mut s = with_pem();
    let cmds = update(&mut s, ch('y'));
    let Command::CopyPem { id, .. } = only(&cmds).clone() else {
        panic!()
    };
    update(
        &mut s,
        Msg::Api(id, ApiResult::Copied(Err("no terminal".into()))),
    );
    assert!(!pem_modal(&s).handed_over());
    assert!(
        pem_modal(&s)
            .error
            .as_deref()
            .unwrap()
            .contains("Save it to a file")
    );
    let Command::CopyPem { id, .. } = update(&mut s, ch('c')).remove(0) else {
        panic!()
    };
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Copied(Ok(atlas_x509::app::msg::Copied {
                how: "via OSC 52 to the terminal".into(),
                to_terminal: None,
            })),
        ),
    );
    assert!(pem_modal(&s).handed_over());
    // Copied, with the key still kept on disk: did the paste work?
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(matches!(
        pem_modal(&s).prompt,
        PemPrompt::CopyCheck { then_quit: false }
    ));
    // Another key: back to the dialog, nothing let go.
    assert!(update(&mut s, ch('x')).is_empty());
    assert_eq!(pem_modal(&s).prompt, PemPrompt::None);
    update(&mut s, key(KeyCode::Esc));
    let cmds = update(&mut s, ch('y'));
    assert!(s.modal.is_none());
    assert!(
        matches!(only(&cmds), Command::ReleaseKey { path, .. } if path.ends_with("20261121T230000Z-alice.pem")),
        "{cmds:?}"
    );
}

#[test]
fn a_copy_not_confirmed_keeps_the_file_and_says_where() {
    let mut s = with_pem();
    let Command::CopyPem { id, .. } = update(&mut s, ch('c')).remove(0) else {
        panic!()
    };
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Copied(Ok(atlas_x509::app::msg::Copied {
                how: "via OSC 52 to the terminal".into(),
                to_terminal: None,
            })),
        ),
    );
    update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('c'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(matches!(
        pem_modal(&s).prompt,
        PemPrompt::CopyCheck { then_quit: true }
    ));
    let cmds = update(&mut s, ch('n'));
    assert!(cmds.is_empty(), "the kept file stays: {cmds:?}");
    assert!(s.modal.is_none() && s.quit);
    assert_eq!(s.kept_keys.len(), 1, "said again at exit");
    assert!(
        s.status.as_ref().unwrap().text.contains(
            "stays in /home/me/.local/state/atlas-x509/rescue/20261121T230000Z-alice.pem"
        )
    );
}

#[test]
fn discarding_removes_the_kept_copy_and_keeping_it_does_not() {
    let mut s = with_pem();
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(pem_modal(&s).prompt, PemPrompt::Discard { .. }));
    // Anything but y keeps the key.
    assert!(update(&mut s, ch('n')).is_empty());
    assert!(s.modal.is_some());
    update(&mut s, key(KeyCode::Esc));
    let cmds = update(&mut s, ch('y'));
    assert!(s.modal.is_none());
    assert!(
        matches!(only(&cmds), Command::ReleaseKey { .. }),
        "{cmds:?}"
    );
}

#[test]
fn a_key_not_on_disk_says_so_and_its_discard_removes_nothing() {
    let mut s = loaded(3);
    let mut issued = issued();
    issued.held = atlas_x509::app::Held::Off;
    update(&mut s, Msg::Api(99, ApiResult::Issued(Ok(issued))));
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("in memory only (key_write_ahead = false)")
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(update(&mut s, ch('y')).is_empty());
    assert!(s.modal.is_none());
}

#[test]
fn an_answer_that_is_not_what_was_asked_is_a_warning_and_the_key_is_kept() {
    let mut s = loaded(3);
    let mut issued = issued();
    issued.problem =
        Some("Atlas answered with a certificate that names \"CN=admin\", not \"CN=alice\"".into());
    update(&mut s, Msg::Api(99, ApiResult::Issued(Ok(issued))));
    let status = s.status.as_ref().unwrap();
    assert_eq!(status.level, atlas_x509::app::Level::Error);
    assert!(status.text.contains("CN=admin"), "{}", status.text);
    assert!(status.text.contains("kept in"), "{}", status.text);
    assert!(pem_modal(&s).problem.is_some(), "the dialog shows it too");
    assert_eq!(s.messages.len(), 1, "and the message list");
}

#[test]
fn the_key_stays_masked_until_revealed() {
    let mut s = with_pem();
    assert!(!pem_modal(&s).reveal_key);
    update(&mut s, ch('v'));
    assert!(pem_modal(&s).reveal_key);
    update(&mut s, ch('j'));
    assert_eq!(pem_modal(&s).scroll, 1);
}

fn security(cas: Option<&str>) -> UserSecurity {
    serde_json::from_value(
        json!({"customerX509": cas.map(|c| json!({"cas": c})).unwrap_or(json!({}))}),
    )
    .unwrap()
}

#[test]
fn disabling_needs_the_project_name() {
    let mut s = loaded(3);
    let cmds = update(&mut s, ch('X'));
    let Command::FetchSecurity { id, group_id } = only(&cmds).clone() else {
        panic!()
    };
    assert_eq!(group_id, P1);
    let ca = "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n";
    update(
        &mut s,
        Msg::Api(id, ApiResult::Security(Ok(security(Some(ca))))),
    );
    let Some(Modal::Disable(m)) = &s.modal else {
        panic!()
    };
    assert!(matches!(m.stage, DisableStage::Confirm { ca_count: 1, .. }));
    for c in "payments".chars() {
        update(&mut s, ch(c));
    }
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "wrong name: nothing happens"
    );
    for c in "-prod".chars() {
        update(&mut s, ch(c));
    }
    let cmds = update(&mut s, key(KeyCode::Enter));
    let Command::DisableCustomerX509 { id, group_id } = only(&cmds).clone() else {
        panic!()
    };
    assert_eq!(group_id, P1);
    update(
        &mut s,
        Msg::Api(id, ApiResult::Disabled(Ok(security(None)))),
    );
    let Some(Modal::Disable(m)) = &s.modal else {
        panic!()
    };
    assert!(matches!(m.stage, DisableStage::Done));
    assert!(s.status.as_ref().unwrap().text.contains("payments-prod"));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
}

#[test]
fn nothing_to_disable_offers_nothing() {
    let mut s = loaded(3);
    let Command::FetchSecurity { id, .. } = update(&mut s, ch('X')).remove(0) else {
        panic!()
    };
    update(
        &mut s,
        Msg::Api(id, ApiResult::Security(Ok(security(None)))),
    );
    let Some(Modal::Disable(m)) = &s.modal else {
        panic!()
    };
    assert!(matches!(m.stage, DisableStage::NothingToDisable));
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(s.modal.is_none());
}

#[test]
fn filtering_a_list() {
    let mut s = loaded(3);
    update(&mut s, ch('/'));
    assert!(s.projects.filter_editing);
    for c in "sand".chars() {
        assert!(update(&mut s, ch(c)).is_empty());
    }
    assert_eq!(s.projects.visible().len(), 1);
    assert_eq!(s.selected_project().unwrap().name, "sandbox");
    let Command::FetchUsers { group_id, .. } = only(&tick(&mut s, 1_000)).clone() else {
        panic!()
    };
    assert_eq!(group_id, P3);
    update(&mut s, key(KeyCode::Enter));
    assert!(!s.projects.filter_editing);
    assert_eq!(
        s.projects.visible().len(),
        1,
        "the filter stays after Enter"
    );
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.projects.visible().len(), 3, "Esc clears it");
}

#[test]
fn help_and_quit() {
    let mut s = loaded(3);
    update(&mut s, ch('?'));
    assert!(matches!(s.modal, Some(Modal::Help(_))));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
    let release = KeyEvent {
        kind: KeyEventKind::Release,
        ..KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)
    };
    update(&mut s, Msg::Key(release));
    assert!(!s.quit, "key releases are not presses");
    update(&mut s, ch('q'));
    assert!(s.quit);
}

#[test]
fn errors_become_state_and_refresh_retries() {
    let mut s = State::new(env(), "2026-11-22T00:00:00Z".parse().unwrap());
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    update(&mut s, Msg::Api(id, ApiResult::Projects(Err("RATE_LIMITED (429): Resource /api/atlas/v2/groups is limited to 100 requests every 1 minutes.".into()))));
    assert!(
        s.projects
            .error
            .as_deref()
            .unwrap()
            .starts_with("RATE_LIMITED (429)")
    );
    let cmds = update(&mut s, ch('r'));
    assert!(matches!(only(&cmds), Command::FetchProjects { .. }));
}

#[test]
fn status_messages_expire() {
    let mut s = loaded(3);
    s.focus = Pane::Users;
    update(&mut s, ch('j'));
    update(&mut s, ch('i'));
    assert!(s.status.is_some());
    tick(&mut s, 60_000);
    assert!(s.status.is_none());
}

fn mouse(kind: crossterm::event::MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(crossterm::event::MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn clicks_select_rows_and_focus_panes() {
    use crossterm::event::{MouseButton, MouseEventKind};
    let mut s = loaded(3);
    update(&mut s, Msg::Resize(160, 45));
    let areas = atlas_x509::layout::areas(ratatui::layout::Rect::new(0, 0, 160, 45)).unwrap();
    let users = areas.panes[1];
    // Third user row: border, column header, then rows.
    update(
        &mut s,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            users.x + 3,
            users.y + 4,
        ),
    );
    assert_eq!(s.focus, Pane::Users);
    assert_eq!(s.selected_user().unwrap().username(), "admin");
    // A click below the last row selects nothing new.
    update(
        &mut s,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            users.x + 3,
            users.y + 10,
        ),
    );
    assert_eq!(s.selected_user().unwrap().username(), "admin");
    // The wheel over the projects pane scrolls it.
    let projects = areas.panes[0];
    update(
        &mut s,
        mouse(MouseEventKind::ScrollDown, projects.x + 2, projects.y + 2),
    );
    assert_eq!(s.focus, Pane::Projects);
    assert_eq!(s.selected_project().unwrap().id, P3);
    // Certificates have a header row.
    let mut s = loaded(5);
    update(&mut s, Msg::Resize(160, 45));
    let certs = areas.panes[2];
    update(
        &mut s,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            certs.x + 4,
            certs.y + 2 + 3,
        ),
    );
    assert_eq!((s.focus, s.certs.selected), (Pane::Certs, 3));
}

#[test]
fn the_mouse_does_nothing_under_a_modal_or_before_the_size_is_known() {
    use crossterm::event::{MouseButton, MouseEventKind};
    let mut s = loaded(3);
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 50, 5),
    );
    assert_eq!(s.focus, Pane::Projects);
    update(&mut s, Msg::Resize(160, 45));
    update(&mut s, ch('?'));
    update(
        &mut s,
        mouse(MouseEventKind::Down(MouseButton::Left), 50, 5),
    );
    assert_eq!(s.focus, Pane::Projects);
}

#[test]
fn the_readme_key_table_names_every_binding() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = &readme[readme.find("## Keys").unwrap()..];
    let table = &table[..table[3..].find("\n## ").unwrap()];
    for b in &atlas_x509::app::keymap::Keymap::default().bindings {
        for word in b.desc.split_whitespace().filter(|w| w.len() > 3) {
            assert!(
                table.contains(word),
                "README's key table does not mention {:?} ({})",
                b.desc,
                word
            );
        }
    }
}

#[test]
fn remapped_keys_drive_the_state_machine() {
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("issue".to_string(), vec!["I".to_string()]);
    let (keymap, problems) = atlas_x509::app::keymap::Keymap::with_overrides(&keys);
    assert!(problems.is_empty());
    let mut s = loaded(3);
    s.env.keymap = std::sync::Arc::new(keymap);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    assert!(s.modal.is_none(), "the default key no longer issues");
    update(&mut s, ch('I'));
    assert!(matches!(s.modal, Some(Modal::Issue(_))));
}

#[test]
fn the_default_project_opens_at_start() {
    let mut s = State::new(
        atlas_x509::app::Env {
            start: Some(atlas_x509::app::Place::project(P2)),
            ..env()
        },
        "2026-11-22T00:00:00Z".parse().unwrap(),
    );
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    let cmds = update(&mut s, Msg::Api(id, ApiResult::Projects(Ok(projects()))));
    let Command::FetchUsers { group_id, .. } = only(&cmds) else {
        panic!()
    };
    assert_eq!(group_id, P2);
    assert_eq!(s.focus, Pane::Users, "its users are opened");

    let mut s = State::new(
        atlas_x509::app::Env {
            start: Some(atlas_x509::app::Place::project("ffffffffffffffffffffffff")),
            ..env()
        },
        "2026-11-22T00:00:00Z".parse().unwrap(),
    );
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    update(&mut s, Msg::Api(id, ApiResult::Projects(Ok(projects()))));
    assert_eq!(s.selected_project().unwrap().id, P1);
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("not among the projects")
    );
}

#[test]
fn config_problems_show_once_at_start() {
    let mut s = State::new(
        atlas_x509::app::Env {
            notes: vec!["unknown key `fancy`".into(), "two".into()],
            ..env()
        },
        "2026-11-22T00:00:00Z".parse().unwrap(),
    );
    init(&mut s);
    assert_eq!(
        s.status.as_ref().unwrap().text,
        "config: unknown key `fancy` (+1 more: atlas-x509 config show)"
    );
}

#[test]
fn a_lost_issue_answer_refreshes_the_list_and_enter_does_not_issue_again() {
    let mut s = loaded(3);
    open_issue(&mut s);
    let Command::CreateCert { id, .. } = update(&mut s, key(KeyCode::Enter)).remove(0) else {
        panic!()
    };
    let cmds = update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Issued(Err(IssueFailure {
                text: "the answer was lost … a certificate may have been issued".into(),
                maybe_issued: true,
            })),
        ),
    );
    assert!(
        matches!(only(&cmds), Command::FetchCerts { .. }),
        "the list shows whether one was minted: {cmds:?}"
    );
    let Some(Modal::Issue(m)) = &s.modal else {
        panic!("the dialog stays, with the warning")
    };
    assert!(m.maybe_issued && m.error.as_deref().unwrap().contains("may have been issued"));
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "the same Enter does not mint a second certificate"
    );
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("press a to issue another")),
        "{:?}",
        s.status
    );
    let cmds = update(&mut s, ch('a'));
    assert!(
        matches!(only(&cmds), Command::CreateCert { .. }),
        "a deliberate, different key issues again"
    );
}

#[test]
fn the_deliberate_key_does_nothing_when_no_answer_was_lost() {
    let mut s = loaded(3);
    open_issue(&mut s);
    assert!(update(&mut s, ch('a')).is_empty());
}

#[test]
fn an_unusable_answer_still_opens_the_pem_dialog_with_the_reason() {
    let mut s = loaded(3);
    open_issue(&mut s);
    let Command::CreateCert { id, .. } = update(&mut s, key(KeyCode::Enter)).remove(0) else {
        panic!()
    };
    let mut answer = issued();
    answer.problem = Some("Atlas's answer holds no private key".into());
    update(&mut s, Msg::Api(id, ApiResult::Issued(Ok(answer))));
    let m = pem_modal(&s);
    assert!(m.problem.as_deref().unwrap().contains("no private key"));
    assert!(!m.handed_over());
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(
        pem_modal(&s).prompt,
        PemPrompt::Discard { then_quit: false },
        "it is handed over like any other answer"
    );
}

#[test]
fn a_background_panic_ends_the_app() {
    let mut s = loaded(3);
    update(
        &mut s,
        Msg::Fatal("internal error in a background task: boom".into()),
    );
    assert!(s.quit);
    assert!(s.fatal.as_deref().unwrap().contains("boom"));
}

#[test]
fn a_lying_certificate_count_saturates_instead_of_wrapping() {
    let mut s = loaded(3);
    // 4,123,168,605 pages would wrap to a small number as u32 arithmetic.
    s.certs.total = Some(u64::from(u32::MAX) * 100 + 4_123_168_605 * 100);
    assert_eq!(s.certs.page_count(), Some(u32::MAX));
    s.certs.total = Some(u64::MAX);
    assert_eq!(s.certs.page_count(), Some(u32::MAX));
    assert!(s.certs.has_next());
}

#[test]
fn the_jump_to_the_new_certificate_is_made_once_whatever_the_count_says() {
    let mut s = with_pem();
    let mut id = match &s.certs.loading {
        Some((id, 1)) => *id,
        other => panic!("{other:?}"),
    };
    let mut sent = 0;
    // A server whose count grows with every answer cannot keep us chasing.
    for round in 1..=5u32 {
        let page_num = s.certs.loading.unwrap().1;
        let cmds = update(
            &mut s,
            Msg::Api(
                id,
                ApiResult::Certs(page_num, Ok(certs(page_num, 100, 1_000 * round))),
            ),
        );
        match cmds
            .iter()
            .find(|c| matches!(c, Command::FetchCerts { .. }))
        {
            Some(Command::FetchCerts { id: next, page, .. }) if s.certs.loading.is_some() => {
                id = *next;
                sent += 1;
                assert_eq!(page.page_num, 10, "the last page the first answer named");
            }
            _ => break,
        }
    }
    assert_eq!(sent, 1, "one jump, no chase");
    assert_eq!(s.certs.page, 10);
}

#[test]
fn clearing_a_filter_keeps_the_selected_item() {
    let mut s = loaded(3);
    s.focus = Pane::Users;
    update(&mut s, ch('/'));
    for c in "adm".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.selected_user().unwrap().username(), "admin");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.users.filter.value().is_empty());
    assert_eq!(
        s.selected_user().unwrap().username(),
        "admin",
        "still admin, not whatever row it was"
    );
}

#[test]
fn a_page_size_change_keeps_the_selected_certificate() {
    let mut s = loaded(250);
    s.focus = Pane::Certs;
    update(&mut s, ch('G'));
    let serial = s.certs.selected_cert().unwrap().id;
    assert_eq!(serial, 1099, "the last of the first 100");
    let cmds = update(&mut s, ch('-'));
    let Command::FetchCerts { id, page, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        (page.page_num, page.items_per_page),
        (2, 50),
        "row 100 is on page 2 of 50"
    );
    update(
        &mut s,
        Msg::Api(id, ApiResult::Certs(2, Ok(certs(2, 50, 250)))),
    );
    assert_eq!(s.certs.selected_cert().unwrap().id, serial);
}

#[test]
fn a_wrong_project_name_says_why_nothing_happened() {
    let mut s = loaded(3);
    let Command::FetchSecurity { id, .. } = update(&mut s, ch('X')).remove(0) else {
        panic!()
    };
    let sec = security(Some("-----BEGIN CERTIFICATE-----\n"));
    update(&mut s, Msg::Api(id, ApiResult::Security(Ok(sec))));
    for c in "Payments-Prod".chars() {
        update(&mut s, ch(c));
    }
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    let Some(Modal::Disable(m)) = &s.modal else {
        panic!()
    };
    assert!(m.note.as_deref().unwrap().contains("case included"));
}

#[test]
fn the_pem_view_stops_at_its_last_line() {
    let mut s = with_pem();
    update(&mut s, Msg::Resize(80, 24));
    for _ in 0..200 {
        update(&mut s, ch('j'));
    }
    let stuck = pem_modal(&s).scroll;
    let lines = pem_modal(&s).shown_line_count() as u16;
    assert!(
        stuck < lines,
        "the last line stays on screen: {stuck} of {lines}"
    );
    update(&mut s, ch('k'));
    assert_eq!(
        pem_modal(&s).scroll,
        stuck.saturating_sub(1),
        "one k comes back"
    );
}

#[test]
fn the_footer_follows_the_dialog_and_remapped_keys() {
    let mut s = with_pem();
    let keys = |s: &State| {
        atlas_x509::app::hints::footer(s)
            .iter()
            .map(|h| format!("{} {}", h.keys, h.desc))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    assert!(keys(&s).contains("y/c copy"), "{}", keys(&s));
    update(&mut s, key(KeyCode::Esc));
    let f = keys(&s);
    assert!(f.contains("y discard") && !f.contains("copy"), "{f}");
    let (km, problems) = atlas_x509::app::keymap::Keymap::with_overrides(
        &[("refresh".to_string(), vec!["R".to_string()])].into(),
    );
    assert!(problems.is_empty(), "{problems:?}");
    let mut s = loaded(3);
    s.env.keymap = std::sync::Arc::new(km);
    assert!(keys(&s).contains("R refresh"), "{}", keys(&s));
}

#[test]
fn every_message_is_kept_whole_and_the_list_opens_from_panes_and_the_expiring_view() {
    use atlas_x509::app::Level;
    let mut s = loaded(3);
    update(&mut s, Msg::Resize(60, 18));
    let long = "renew it with `atlas organizations list --limit 1 --output json --profile work` "
        .repeat(6);
    s.set_status(Level::Error, long.clone());
    for i in 0..30 {
        s.set_status(Level::Info, format!("message {i}"));
    }
    let kept: Vec<&str> = s.messages.newest_first().map(|m| m.text.as_str()).collect();
    assert_eq!(kept[0], "message 29");
    assert_eq!(*kept.last().unwrap(), long, "kept whole, never cut");

    update(&mut s, ch('m'));
    assert!(matches!(s.modal, Some(Modal::Messages(_))));
    update(&mut s, ch('G'));
    let Some(Modal::Messages(v)) = &s.modal else {
        panic!()
    };
    let max = atlas_x509::app::state::messages::max_scroll(&s.messages, s.size);
    assert!(max > 0);
    assert_eq!(v.scroll, max, "G goes to the end, no further");
    update(&mut s, ch('j'));
    let Some(Modal::Messages(v)) = &s.modal else {
        panic!()
    };
    assert_eq!(v.scroll, max);
    update(&mut s, ch('g'));
    update(&mut s, ch('k'));
    let Some(Modal::Messages(v)) = &s.modal else {
        panic!()
    };
    assert_eq!(v.scroll, 0);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none(), "Esc closes");
    assert!(!s.quit);

    // The expiring view has the same key, and closing returns to it.
    update(&mut s, ch('e'));
    assert!(s.expiring.as_ref().is_some_and(|v| v.shown));
    update(&mut s, ch('m'));
    assert!(matches!(s.modal, Some(Modal::Messages(_))));
    update(&mut s, ch('q'));
    assert!(s.modal.is_none() && !s.quit, "q closes the list, as help");
    assert!(
        s.expiring.as_ref().is_some_and(|v| v.shown),
        "back in the view"
    );
}

fn fetches_whole(cmds: &[Command]) -> bool {
    cmds.iter().any(|c| {
        matches!(
            c,
            Command::FetchAllCerts {
                max_items: 10_000,
                ..
            }
        )
    })
}

fn row_ids(s: &State) -> Vec<u64> {
    s.certs.rows().iter().map(|c| c.id).collect()
}

#[test]
fn a_sort_reads_the_whole_list_once_then_pages_sort_and_filter_it_locally() {
    let mut s = loaded(250);
    s.focus = Pane::Certs;
    update(&mut s, ch('j'));
    update(&mut s, ch('j'));
    assert_eq!(s.certs.selected_cert().unwrap().id, 1002);
    let cmds = update(&mut s, ch('o'));
    assert!(fetches_whole(&cmds), "{cmds:?}");
    assert!(
        update(&mut s, ch('O')).is_empty(),
        "asked once while it is on its way"
    );
    update(&mut s, ch('O'));
    let all = all_certs(250);
    answer_whole(&mut s, &cmds, all.clone());
    assert_eq!(
        s.certs.selected_cert().unwrap().id,
        1002,
        "the selection kept its certificate"
    );
    // Page 1 of the whole list by expiry: the 100 soonest of all 250.
    let mut by_expiry = all.clone();
    by_expiry.sort_by_key(|c| (c.not_after, c.id));
    s.certs.page = 1;
    s.certs.selected = 0;
    let want: Vec<u64> = by_expiry.iter().take(100).map(|c| c.id).collect();
    assert_eq!(row_ids(&s), want);
    assert_eq!(s.certs.page_count(), Some(3));
    // Pages flip locally: nothing is sent.
    assert!(update(&mut s, ch('n')).is_empty());
    assert!(update(&mut s, ch('n')).is_empty());
    assert_eq!(s.certs.rows().len(), 50);
    assert!(update(&mut s, ch('n')).is_empty(), "no page past the end");
    assert_eq!(s.certs.page, 3);
    // Per-page changes are local too, and keep the certificate.
    let on = s.certs.selected_cert().unwrap().id;
    assert!(update(&mut s, ch('+')).is_empty());
    assert_eq!(s.certs.per_page, 200);
    assert_eq!(s.certs.selected_cert().unwrap().id, on);
    // A filter across all 250: `alice3` is every 7th, starting at 3.
    update(&mut s, ch('/'));
    for c in "alice3".chars() {
        assert!(update(&mut s, ch(c)).is_empty());
    }
    assert_eq!(s.certs.view_len(), Some(36));
    assert!(s.certs.rows().iter().all(|c| c.subject == "CN=alice3"));
    let picked = s.certs.rows()[5].id;
    s.certs.selected = 5;
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.certs.view_len(), Some(250), "Esc cleared the filter");
    assert_eq!(
        s.certs.selected_cert().unwrap().id,
        picked,
        "and kept the row"
    );
}

#[test]
fn over_the_bound_sorting_stays_per_page_and_asks_nothing() {
    let mut s = loaded(12_000);
    s.focus = Pane::Certs;
    let cmds = update(&mut s, ch('o'));
    assert!(!fetches_whole(&cmds), "{cmds:?}");
    assert!(matches!(
        s.certs.whole,
        atlas_x509::app::state::Whole::TooMany(12_000)
    ));
    assert_eq!(s.certs.rows().len(), 100, "the page, sorted on its own");
    let cmds = update(&mut s, ch('n'));
    assert!(
        cmds.is_empty() || matches!(cmds[0], Command::FetchCerts { .. }),
        "server pages as before: {cmds:?}"
    );
}

#[test]
fn a_refresh_reads_the_whole_list_again_and_keeps_the_certificate() {
    let mut s = loaded(250);
    s.focus = Pane::Certs;
    let cmds = update(&mut s, ch('o'));
    answer_whole(&mut s, &cmds, all_certs(250));
    update(&mut s, ch('n'));
    update(&mut s, ch('j'));
    let kept = s.certs.selected_cert().unwrap().id;
    let cmds = update(&mut s, ch('r'));
    let Command::FetchCerts { id, page, .. } = only(&cmds).clone() else {
        panic!("{cmds:?}")
    };
    let cmds = update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Certs(page.page_num, Ok(certs(page.page_num, 100, 251))),
        ),
    );
    assert!(fetches_whole(&cmds), "the view still needs all: {cmds:?}");
    // One more certificate since: the view has it, the selection stays.
    answer_whole(&mut s, &cmds, all_certs(251));
    assert_eq!(s.certs.view_len(), Some(251));
    assert_eq!(s.certs.selected_cert().unwrap().id, kept);
}

#[test]
fn a_failed_or_stale_whole_list_leaves_the_page_view() {
    let mut s = loaded(250);
    s.focus = Pane::Certs;
    let cmds = update(&mut s, ch('o'));
    let Some(Command::FetchAllCerts { id, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::AllCerts(Err("RATE_LIMITED (429): too many".into())),
        ),
    );
    assert!(s.certs.whole_list().is_none());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.contains("this page only")),
        "said so"
    );
    assert_eq!(s.certs.rows().len(), 100, "the page, sorted on its own");
    assert!(
        update(&mut s, ch('O')).is_empty(),
        "not asked again until r"
    );
    // An answer for a list nobody waits for any more is dropped.
    update(
        &mut s,
        Msg::Api(id, ApiResult::AllCerts(Ok(all_certs(250)))),
    );
    assert!(s.certs.whole_list().is_none());
}

#[test]
fn a_questions_answers_come_from_the_keymap() {
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("yes".to_string(), vec!["d".to_string()]);
    let (keymap, problems) = atlas_x509::app::keymap::Keymap::with_overrides(&keys);
    assert!(problems.is_empty(), "{problems:?}");
    let mut s = with_pem();
    s.env.keymap = std::sync::Arc::new(keymap);
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(pem_modal(&s).prompt, PemPrompt::Discard { .. }));
    let footer: Vec<String> = atlas_x509::app::hints::footer(&s)
        .iter()
        .map(|h| format!("{} {}", h.keys, h.desc))
        .collect();
    assert!(
        footer.contains(&"d discard the key for good".to_string()),
        "{footer:?}"
    );
    // The default key no longer answers; the question stays, the key too.
    update(&mut s, ch('y'));
    assert!(s.modal.is_some());
    update(&mut s, key(KeyCode::Esc));
    let cmds = update(&mut s, ch('d'));
    assert!(s.modal.is_none());
    assert!(
        matches!(only(&cmds), Command::ReleaseKey { .. }),
        "{cmds:?}"
    );
}

#[test]
fn typing_keys_come_from_the_keymap() {
    let mut keys = std::collections::BTreeMap::new();
    keys.insert("switch_field".to_string(), vec!["ctrl-t".to_string()]);
    let (keymap, problems) = atlas_x509::app::keymap::Keymap::with_overrides(&keys);
    assert!(problems.is_empty(), "{problems:?}");
    let mut s = with_pem();
    s.env.keymap = std::sync::Arc::new(keymap);
    update(&mut s, ch('s'));
    assert_eq!(pem_modal(&s).prompt, PemPrompt::SavePath);
    update(&mut s, key(KeyCode::Tab));
    assert!(!pem_modal(&s).split, "Tab is no longer bound");
    update(
        &mut s,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('t'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(pem_modal(&s).split);
    let footer: Vec<String> = atlas_x509::app::hints::footer(&s)
        .iter()
        .map(|h| format!("{} {}", h.keys, h.desc))
        .collect();
    assert!(
        footer
            .iter()
            .any(|h| h.starts_with("^T ") || h.to_lowercase().starts_with("ctrl-t ")),
        "{footer:?}"
    );
}

#[test]
fn saving_over_the_kept_file_itself_does_not_remove_it() {
    let mut s = with_pem();
    let kept = std::path::PathBuf::from(
        "/home/me/.local/state/atlas-x509/rescue/20261121T230000Z-alice.pem",
    );
    update(&mut s, ch('s'));
    let Command::SavePem { id, .. } = update(&mut s, key(KeyCode::Enter)).remove(0) else {
        panic!()
    };
    let cmds = update(
        &mut s,
        Msg::Api(id, ApiResult::Saved(SaveOutcome::Saved(vec![kept.clone()]))),
    );
    assert!(cmds.is_empty(), "the saved key is the kept file: {cmds:?}");
    assert!(pem_modal(&s).handed_over());
}

#[test]
fn a_whole_list_that_disagrees_with_its_count_says_so() {
    // Atlas counted 250; 300 come back, 10 of them twice.
    let mut s = loaded(250);
    s.focus = Pane::Certs;
    let cmds = update(&mut s, ch('o'));
    let Some(Command::FetchAllCerts { id, .. }) = cmds.first().cloned() else {
        panic!("{cmds:?}")
    };
    let mut all = all_certs(300);
    all.extend(all_certs(10));
    update(&mut s, Msg::Api(id, ApiResult::AllCerts(Ok(all))));
    assert_eq!(s.certs.whole_list().unwrap().len(), 300, "each serial once");
    let status = s.status.as_ref().unwrap();
    assert!(
        status
            .text
            .contains("Atlas counted 250 certificates but 300 were read")
            && status.text.contains("10 came twice"),
        "{}",
        status.text
    );
    assert_eq!(s.messages.len(), 1, "in the message list too");
    s.size = (200, 30);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 30)).unwrap();
    t.draw(|f| atlas_x509::ui::draw(f, &s, &atlas_x509::ui::Theme::new(false)))
        .unwrap();
    let buf = t.backend().buffer().clone();
    let top: String = (0..200).map(|x| buf[(x, 1)].symbol().to_string()).collect();
    assert!(top.contains("(Atlas counted 250)"), "{top}");
}

#[test]
fn a_pane_error_is_in_the_message_list_whole() {
    let mut s = State::new(env(), "2026-11-22T00:00:00Z".parse().unwrap());
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        panic!()
    };
    let long = format!(
        "ACCESS_FORBIDDEN (403): {} the end",
        "Access to this resource is forbidden for the current user. ".repeat(4)
    );
    update(&mut s, Msg::Api(id, ApiResult::Projects(Err(long.clone()))));
    assert_eq!(s.projects.error.as_deref(), Some(long.as_str()));
    assert_eq!(s.messages.len(), 1, "not 'none yet'");
    // A later page that succeeds adds nothing.
    let n = s.messages.len();
    update(&mut s, ch('r'));
    assert_eq!(s.messages.len(), n);
}
