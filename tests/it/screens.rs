//! Screens as text: ratatui's TestBackend rendered from states built by the
//! real `update`, compared with insta snapshots.

use crate::common;

use atlas_x509::app::{ApiResult, Command, Level, Msg, Pane, State, init, update};
use atlas_x509::ui::{self, Theme};
use common::fixtures::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

fn render(state: &State, w: u16, h: u16) -> String {
    render_with(state, w, h, Theme::new(true))
}

fn render_with(state: &State, w: u16, h: u16, theme: Theme) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, state, &theme)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pem_open() -> State {
    let mut s = loaded(5);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    let Command::CreateCert { id, .. } = update(&mut s, key(KeyCode::Enter)).remove(0) else {
        panic!()
    };
    update(&mut s, Msg::Api(id, ApiResult::Issued(Ok(issued()))));
    s
}

#[test]
fn three_panes_loaded() {
    insta::assert_snapshot!(render(&loaded(5), 160, 45));
}

#[test]
fn loading() {
    let mut s = State::new(env(), "2026-11-22T00:00:00Z".parse().unwrap());
    init(&mut s);
    insta::assert_snapshot!(render(&s, 120, 20));
}

#[test]
fn empty_states() {
    let mut s = loaded(0);
    assert!(s.certs.rows().is_empty());
    s.focus = Pane::Certs;
    let screen = render(&s, 120, 24);
    assert!(!screen.contains("too small"), "{screen}");
    assert!(
        screen.contains("No unexpired certificates. Press i to issue one."),
        "the empty state is drawn: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn error_toast_and_pane_error() {
    let mut s = loaded(5);
    update(&mut s, ch('j'));
    let cmds = tick(&mut s, 1_000);
    let Command::FetchUsers { id, .. } = cmds[0].clone() else {
        panic!()
    };
    update(
        &mut s,
        Msg::Api(
            id,
            ApiResult::Users(Err(
                "GROUP_NOT_FOUND (404): No group with ID 65f1a2b3c4d5e6f708192a3c exists.".into(),
            )),
        ),
    );
    s.set_status(Level::Error, "Issuing failed: ACCESS_FORBIDDEN (403): Access to this resource is forbidden for current user.");
    let screen = render(&s, 120, 24);
    assert!(
        screen.contains("GROUP_NOT_FOUND"),
        "the pane's error: {screen}"
    );
    assert!(
        screen.contains("ACCESS_FORBIDDEN"),
        "the status line: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn issue_modal() {
    let mut s = loaded(5);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    update(&mut s, ch('6'));
    insta::assert_snapshot!(render(&s, 120, 30));
}

#[test]
fn issue_modal_in_flight() {
    let mut s = loaded(5);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    update(&mut s, key(KeyCode::Enter));
    insta::assert_snapshot!(render(&s, 120, 30));
}

#[test]
fn pem_modal_masks_the_key() {
    let s = pem_open();
    let screen = render(&s, 120, 40);
    assert!(!screen.contains("SECRETKEY"), "the key body is hidden");
    insta::assert_snapshot!(screen);
}

#[test]
fn pem_modal_revealed_and_saving() {
    let mut s = pem_open();
    update(&mut s, ch('v'));
    update(&mut s, ch('s'));
    let screen = render(&s, 120, 40);
    assert!(screen.contains("SECRETKEY"), "revealed on request");
    insta::assert_snapshot!(screen);
}

#[test]
fn pem_modal_discard_question() {
    let mut s = pem_open();
    update(&mut s, key(KeyCode::Esc));
    insta::assert_snapshot!(render(&s, 120, 40));
}

#[test]
fn disable_modal_confirm() {
    let mut s = loaded(5);
    let Command::FetchSecurity { id, .. } = update(&mut s, ch('X')).remove(0) else {
        panic!()
    };
    let sec = serde_json::from_value(serde_json::json!({"customerX509": {"cas": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n"}})).unwrap();
    update(&mut s, Msg::Api(id, ApiResult::Security(Ok(sec))));
    for c in "payments".chars() {
        update(&mut s, ch(c));
    }
    insta::assert_snapshot!(render(&s, 120, 30));
}

#[test]
fn help() {
    let mut s = loaded(5);
    update(&mut s, ch('?'));
    insta::assert_snapshot!(render(&s, 120, 60));
}

#[test]
fn tiny_terminal() {
    let s = loaded(5);
    insta::assert_snapshot!(render(&s, 10, 4));
    // Smaller still must not panic.
    for (w, h) in [(1, 1), (0, 0), (39, 9), (40, 10)] {
        render(&s, w, h);
    }
}

#[test]
fn large_terminal() {
    insta::assert_snapshot!(render(&loaded(5), 200, 60));
}

#[test]
fn narrow_terminal_stacks_the_panes() {
    insta::assert_snapshot!(render(&loaded(5), 80, 30));
}

#[test]
fn no_color_still_marks_the_selection() {
    let s = loaded(5);
    let theme = Theme::new(false);
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    t.draw(|f| ui::draw(f, &s, &theme)).unwrap();
    let buf = t.backend().buffer();
    let mut saw_reversed = false;
    for y in 0..45 {
        for x in 0..160 {
            let c = &buf[(x, y)];
            assert_eq!(c.fg, ratatui::style::Color::Reset, "no colour at {x},{y}");
            saw_reversed |= c.modifier.contains(Modifier::REVERSED);
        }
    }
    assert!(saw_reversed);
    assert!(render_with(&s, 160, 45, theme).contains("> payments-prod"));
}

#[test]
fn no_credentials_screen() {
    use std::path::PathBuf;
    let env = |_: &str| None;
    let keyring = |_: &str, _: &str| Err("this build reads no keyring".to_string());
    let r = atlas_x509::config::resolve(atlas_x509::config::Inputs {
        flags: Default::default(),
        env: &env,
        mcli_env: false,
        atlascli: (PathBuf::from("/home/u/.config/atlascli/config.toml"), None),
        own: (
            PathBuf::from("/home/u/.config/atlas-x509/config.toml"),
            None,
        ),
        keyring: &keyring,
    });
    let lines = atlas_x509::config::no_credentials_text(&r);
    let mut t = Terminal::new(TestBackend::new(110, 20)).unwrap();
    t.draw(|f| ui::notice(f, "atlas-x509 · no credentials", &lines, &Theme::new(true)))
        .unwrap();
    let buf = t.backend().buffer().clone();
    let text: Vec<String> = (0..20)
        .map(|y| {
            (0..110)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

/// Every screen of the gallery at the most common size and at the declared
/// minimum, where every pane must still show rows.
#[test]
fn every_screen_at_80x24_and_at_the_minimum_size() {
    let (mw, mh) = (atlas_x509::ui::MIN_WIDTH, atlas_x509::ui::MIN_HEIGHT);
    assert_eq!((mw, mh), (60, 18), "the minimum the README gives");
    let mut hostile_seen = 0;
    for (name, mut state) in common::gallery::screens() {
        for (w, h) in [(80, 24), (mw, mh)] {
            update(&mut state, Msg::Resize(w, h));
            let screen = render(&state, w, h);
            // Hostile text is shown escaped wherever it is drawn: the
            // drawing library would drop a raw control character without a
            // trace, leaving "evil]0;t" where "evil\e]0;t" belongs.
            for (at, _) in screen.match_indices("evil") {
                hostile_seen += 1;
                let after = &screen[at + 4..];
                assert!(
                    after.starts_with("\\e")
                        || after.starts_with('…')
                        || after.starts_with('\n')
                        || after.starts_with('│')
                        || after.starts_with(' ')
                        || after.is_empty(),
                    "{name} at {w}x{h}: hostile text drawn unescaped: {:?}",
                    &screen[at..(at + 20).min(screen.len())]
                );
            }
            let file = format!("{}@{w}x{h}", name.replace(' ', "_"));
            insta::assert_snapshot!(file, screen);
        }
    }
    assert!(
        hostile_seen > 20,
        "the gallery draws hostile text: {hostile_seen}"
    );
}

#[test]
fn at_the_minimum_size_every_pane_shows_rows_and_serials_whole() {
    let (w, h) = (atlas_x509::ui::MIN_WIDTH, atlas_x509::ui::MIN_HEIGHT);
    let mut s = loaded(5);
    update(&mut s, Msg::Resize(w, h));
    let screen = render(&s, w, h);
    for row in ["payments-prod", "alice", "1000"] {
        assert!(screen.contains(row), "{row} shown at {w}x{h}:\n{screen}");
    }
    for (i, c) in s.certs.pages.get_mut(&1).unwrap().iter_mut().enumerate() {
        c.id = u64::MAX - i as u64;
    }
    let screen = render(&s, w, h);
    let whole = (0..5).any(|i| screen.contains(&(u64::MAX - i).to_string()));
    assert!(whole, "a 20-digit serial whole:\n{screen}");
}

/// The columns, footers and marked cuts at the four sizes people use: a
/// wider terminal shows more, never fewer, and each pane's footer leads
/// with what matters there.
#[test]
fn columns_and_footers_at_four_sizes() {
    for (w, h) in [(160, 40), (120, 36), (80, 24), (60, 18)] {
        for pane in [Pane::Projects, Pane::Users, Pane::Certs] {
            let mut s = loaded(5);
            s.focus = pane;
            update(&mut s, Msg::Resize(w, h));
            let screen = render(&s, w, h);
            let footer = screen.lines().last().unwrap().to_string();
            let first = match pane {
                Pane::Projects => " Enter open",
                Pane::Users => " i issue",
                Pane::Certs => " i issue  Enter details",
            };
            assert!(footer.starts_with(first), "{pane:?} at {w}x{h}: {footer:?}");
            assert!(footer.trim_end().ends_with("q quit"), "{footer:?}");
            if pane == Pane::Certs {
                let header = screen
                    .lines()
                    .find(|l| l.contains("serial"))
                    .unwrap()
                    .to_string();
                let columns = ["subject", "created", "expires", "left"]
                    .iter()
                    .filter(|c| header.contains(*c))
                    .count();
                assert!(header.contains("created ↑") || w < 80, "{header}");
                let want = if w >= 160 { 4 } else { 3 };
                assert!(columns >= want, "{w}x{h}: {header}");
            }
        }
        let mut s = long_copy();
        update(&mut s, Msg::Resize(w, h));
        insta::assert_snapshot!(format!("long_names@{w}x{h}"), render(&s, w, h));
    }
}

fn long_copy() -> State {
    common::gallery::screens()
        .into_iter()
        .find(|(n, _)| *n == "long names")
        .unwrap()
        .1
}
