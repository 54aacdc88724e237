//! Every screen and dialog, drawn at every size from 1x1 to 300x100 (in
//! steps): no size may panic, and no cell may carry a character a terminal
//! would obey, even with hostile names in the state; and no name is cut
//! by a column's edge without a `…` saying so.

use crate::common;

use atlas_client::sanitize::is_unsafe;
use atlas_x509::app::{Msg, update};
use atlas_x509::ui::{self, Theme};
use common::fixtures::*;
use common::gallery::{HOSTILE, screens};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const WIDTHS: &[u16] = &[
    1, 2, 3, 4, 5, 7, 10, 13, 17, 20, 25, 30, 39, 40, 41, 50, 60, 79, 80, 81, 100, 120, 160, 200,
    250, 300,
];
const HEIGHTS: &[u16] = &[
    1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 23, 24, 25, 30, 45, 60, 80, 100,
];

/// Draws the named screens at every size; the no-colour theme at a
/// subset, since it changes styles, not layout.
fn sweep(which: impl Fn(&str) -> bool, screens_wanted: usize) {
    let mut draws = 0;
    let chosen: Vec<_> = screens().into_iter().filter(|(n, _)| which(n)).collect();
    assert_eq!(
        chosen.len(),
        screens_wanted,
        "the screens this sweep is named for"
    );
    for (name, mut state) in chosen {
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
                    // A control character handed to the library is dropped,
                    // not drawn: no cell would show it, so look for what it
                    // leaves behind ("evil]0;t[2J" where "evil\e]0;t\x07\e[2J"
                    // belongs).
                    let buf = t.backend().buffer();
                    for y in 0..buf.area.height {
                        let row: String = (0..buf.area.width)
                            .map(|x| buf[(x, y)].symbol().to_string())
                            .collect();
                        assert!(
                            !row.contains("evil]") && !row.contains("t[2J"),
                            "{name} at {w}x{h}: hostile text drawn unescaped: {row}"
                        );
                    }
                    if state.modal.is_none() && !state.expiring.as_ref().is_some_and(|v| v.shown) {
                        let watched = watched(&state);
                        for y in 0..buf.area.height {
                            let row: Vec<char> = (0..buf.area.width)
                                .flat_map(|x| buf[(x, y)].symbol().chars().collect::<Vec<_>>())
                                .collect();
                            if let Err(e) = cuts_marked(&row, &watched) {
                                panic!("{name} at {w}x{h}: {e}");
                            }
                        }
                    }
                    draws += 1;
                }
            }
        }
    }
    println!("{draws} draws, no panic");
}

/// The names a pane shows, as shown (escaped), when long enough that a
/// column may have to cut them.
fn watched(s: &atlas_x509::app::State) -> Vec<Vec<char>> {
    let mut all: Vec<String> = s.projects.items.iter().map(|p| p.name.clone()).collect();
    for u in &s.users.items {
        all.extend([u.username().to_string(), u.roles().to_string()]);
    }
    all.extend(s.certs.rows().iter().map(|c| c.subject.clone()));
    // Errors are wrapped, not cut: a name that starts like one is left out.
    let wrapped: Vec<String> = [&s.projects.error, &s.users.error, &s.certs.error]
        .into_iter()
        .flatten()
        .cloned()
        .chain(s.status.as_ref().map(|st| st.text.clone()))
        .map(|t| atlas_x509::format::shown(&t))
        .collect();
    all.iter()
        .map(|t| atlas_x509::format::shown(t).chars().collect::<Vec<char>>())
        .filter(|t| t.len() >= 16)
        .filter(|t| {
            let p: String = t[..12].iter().collect();
            !wrapped.iter().any(|e| e.contains(&p))
        })
        .collect()
}

/// Wherever a row starts one of `watched`, it shows it whole or cut with
/// `…` right where it stops: never cut in silence by a column's edge.
fn cuts_marked(row: &[char], watched: &[Vec<char>]) -> Result<(), String> {
    const PREFIX: usize = 12;
    for w in watched {
        let p = &w[..PREFIX];
        for i in (0..row.len().saturating_sub(PREFIX - 1)).filter(|&i| &row[i..i + PREFIX] == p) {
            let ok = watched.iter().filter(|c| c[..PREFIX] == *p).any(|c| {
                let k = c.iter().zip(&row[i..]).take_while(|(a, b)| a == b).count();
                k == c.len() || row.get(i + k) == Some(&'…')
            });
            if !ok {
                return Err(format!(
                    "{:?} is cut without `…`: {}",
                    w.iter().collect::<String>(),
                    row.iter().collect::<String>()
                ));
            }
        }
    }
    Ok(())
}

/// The gallery's screens that are neither the PEM and issue dialogs nor
/// the disable dialogs.
const PANES: usize = 21;

#[test]
fn panes_draw_at_every_size() {
    sweep(
        |n| !n.starts_with("pem") && !n.starts_with("issu") && !n.starts_with("disable"),
        PANES,
    );
}

#[test]
fn issue_and_pem_dialogs_draw_at_every_size() {
    sweep(|n| n.starts_with("pem") || n.starts_with("issu"), 9);
}

#[test]
fn disable_dialogs_draw_at_every_size() {
    sweep(|n| n.starts_with("disable"), 6);
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
