//! Every screen and dialog, drawn at every size from 1x1 to 300x100 (in
//! steps): no size may panic, and no cell may carry a character a terminal
//! would obey, even with hostile names in the state.

mod common;

use atlas_x509::app::{ApiResult, Command, IssueFailure, Level, Msg, Pane, State, init, update};
use atlas_x509::sanitize::is_unsafe;
use atlas_x509::ui::{self, Theme};
use common::fixtures::*;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTHS: &[u16] = &[
    1, 2, 3, 4, 5, 7, 10, 13, 17, 20, 25, 30, 39, 40, 41, 50, 60, 79, 80, 81, 100, 120, 160, 200,
    250, 300,
];
const HEIGHTS: &[u16] = &[
    1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 23, 24, 25, 30, 45, 60, 80, 100,
];

const HOSTILE: &str = "evil\u{1b}]0;t\u{7}\u{1b}[2J\u{9b}1m\u{202e}gpj.exe\u{7f}";

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

/// Every screen the app can show, by name.
fn screens() -> Vec<(&'static str, State)> {
    let mut v: Vec<(&'static str, State)> = vec![];
    let mut s = State::new(env(), "2026-11-22T00:00:00Z".parse().unwrap());
    init(&mut s);
    v.push(("loading", s));
    v.push(("loaded", loaded(5)));
    v.push(("empty", loaded(0)));
    v.push(("many certs", loaded(1201)));
    let mut s = loaded(5);
    s.projects.items[0].name = HOSTILE.repeat(20);
    s.users.items[0].username = format!("CN={HOSTILE},O=acme");
    s.set_status(
        Level::Error,
        format!("GROUP_NOT_FOUND: {}", HOSTILE.repeat(50)),
    );
    s.users.error = Some(HOSTILE.repeat(10));
    v.push(("hostile text and errors", s));
    let mut s = loaded(5);
    update(&mut s, ch('/'));
    for c in "pay".chars() {
        update(&mut s, ch(c));
    }
    v.push(("filtering", s));
    let mut s = loaded(5);
    update(&mut s, ch('?'));
    v.push(("help", s));
    let mut s = loaded(5);
    s.focus = Pane::Users;
    update(&mut s, ch('i'));
    v.push(("issue dialog", s));
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
    v.push((
        "pem unusable answer",
        pem(loaded(5), Some("Atlas's answer holds no private key")),
    ));
    v.push((
        "disable confirm",
        disable(loaded(5), Some("-----BEGIN CERTIFICATE-----\n"), "pay"),
    ));
    v.push(("disable nothing to do", disable(loaded(5), None, "")));
    let mut s = loaded(5);
    update(&mut s, ch('X'));
    v.push(("disable loading", s));
    v
}

/// Draws the named screens at every size; the no-colour theme at a
/// subset, since it changes styles, not layout.
fn sweep(which: impl Fn(&str) -> bool) {
    let mut draws = 0;
    for (name, mut state) in screens().into_iter().filter(|(n, _)| which(n)) {
        for &w in WIDTHS {
            for &h in HEIGHTS {
                // The state machine learns the size as the event loop tells it.
                update(&mut state, Msg::Resize(w, h));
                let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
                let themes: &[bool] = if w % 2 == 0 && h % 2 == 0 {
                    &[true, false]
                } else {
                    &[true]
                };
                for &color in themes {
                    t.draw(|f| ui::draw(f, &state, &Theme::new(color)))
                        .unwrap_or_else(|e| panic!("{name} at {w}x{h}: {e}"));
                    if let Some(c) = t
                        .backend()
                        .buffer()
                        .content()
                        .iter()
                        .find(|c| c.symbol().chars().any(is_unsafe))
                    {
                        panic!("{name} at {w}x{h}: a cell holds {:?}", c.symbol());
                    }
                    draws += 1;
                }
            }
        }
    }
    println!("{draws} draws, no panic");
}

#[test]
fn panes_draw_at_every_size() {
    sweep(|n| !n.starts_with("pem") && !n.starts_with("issu") && !n.starts_with("disable"));
}

#[test]
fn issue_and_pem_dialogs_draw_at_every_size() {
    sweep(|n| n.starts_with("pem") || n.starts_with("issu"));
}

#[test]
fn disable_dialogs_draw_at_every_size() {
    sweep(|n| n.starts_with("disable"));
}

#[test]
fn hostile_names_are_shown_as_escapes_not_obeyed() {
    let mut s = loaded(5);
    s.projects.items[0].name = HOSTILE.to_string();
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    t.draw(|f| ui::draw(f, &s, &Theme::new(true))).unwrap();
    let text: String = t
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(text.contains("evil\\e]0;t\\x07"), "visible, not dropped");
}
