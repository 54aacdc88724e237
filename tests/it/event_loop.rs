//! The real event loop in-process: keys → update → worker → simulator →
//! frames on a recording backend. Responsiveness, stale answers, resize,
//! signals, suspension, the one writer to the terminal, and keeping the
//! user's place.

use crate::common;

use std::time::Duration;

use atlas_x509::tui::{Stop, TICK};
use common::harness::{self, App};
use crossterm::event::KeyCode;

async fn orders_users(app: &App) {
    app.wait_for("the projects", |s| s.contains("orders-staging"))
        .await;
    app.ch('j');
    app.wait_for("orders-staging's users", |s| {
        s.contains("load-tester") && s.contains("svc.orders")
    })
    .await;
    app.key(KeyCode::Tab);
}

/// Users pane focused on load-tester (1,201 certificates).
async fn on_load_tester(app: &App) {
    orders_users(app).await;
    for _ in 0..3 {
        app.ch('j');
    }
    app.wait_for("load-tester's certificates", |s| {
        s.contains("› load-tester") && s.contains("page 1/13")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_is_drawn_without_waiting_for_the_tick() {
    let h = common::sim().await;
    // A tick this slow would be seen: a key that waits for it fails here.
    let app = harness::start(&h, 120, 40, Duration::from_secs(30));
    app.wait_for("the projects", |s| s.contains("payments-prod"))
        .await;
    app.wait_for("the first user", |s| s.contains("› app-admin"))
        .await;
    for round in 0..5 {
        app.ch('?');
        app.wait_for(&format!("help, round {round}"), |s| s.contains("Keys ·"))
            .await;
        app.key(KeyCode::Esc);
        app.wait_for(&format!("help closed, round {round}"), |s| {
            !s.contains("Keys ·")
        })
        .await;
    }
    let (r, _) = app.stop().await;
    assert_eq!(r.unwrap(), Stop::Quit);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_keys_costs_one_frame() {
    let h = common::sim().await;
    let app = harness::start(&h, 120, 40, TICK);
    app.wait_for("the first user's certificates", |s| {
        s.contains("› app-admin") && !s.contains("loading")
    })
    .await;
    let before = app.frame_count();
    // Tab 30 times lands where it started, in far fewer frames than keys.
    for _ in 0..30 {
        app.key(KeyCode::Tab);
    }
    app.wait_for("focus back on projects", |s| s.contains("▶ Projects"))
        .await;
    let frames = app.frame_count() - before;
    assert!(frames < 30, "{frames} frames for 30 keys");
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_for_pages_left_behind_never_reach_the_screen() {
    let h = common::sim_with(|c| c.latency = Duration::from_millis(40)).await;
    let app = harness::start(&h, 160, 45, TICK);
    on_load_tester(&app).await;
    app.key(KeyCode::Tab);
    for _ in 0..4 {
        app.ch('n');
    }
    app.ch('p');
    let s = app
        .wait_for("page 4", |s| {
            s.contains("page 4/13") && !s.contains("loading")
        })
        .await;
    // Every answer the simulator gave has had its chance to be drawn: a
    // late one can only make this pass unseen, never fail it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.screen().contains("page 4/13"), "{s}");
    let (_, state) = app.stop().await;
    assert_eq!(state.certs.page, 4);
    let shown: Vec<u64> = state.certs.rows().iter().map(|c| c.id).collect();
    assert_eq!(
        shown,
        state.certs.pages[&4]
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resize_redraws_at_the_new_size() {
    let h = common::sim().await;
    let app = harness::start(&h, 120, 40, TICK);
    app.wait_for("the projects", |s| s.contains("payments-prod"))
        .await;
    app.resize(20, 6);
    app.wait_for("the too-small message", |s| s.contains("60x18"))
        .await;
    app.resize(80, 24);
    let s = app
        .wait_for("the panes again", |s| s.contains("payments-prod"))
        .await;
    assert_eq!(s.lines().count(), 24);
}

#[tokio::test(flavor = "multi_thread")]
async fn refresh_keeps_the_selected_user_and_the_certificate_page() {
    let h = common::sim().await;
    let app = harness::start(&h, 160, 45, TICK);
    on_load_tester(&app).await;
    let users = common::count_served(&h, "GET", "/databaseUsers");
    app.ch('r');
    served_more(&h, "/databaseUsers", users).await;
    app.wait_for("load-tester still selected", |s| {
        s.contains("› load-tester") && s.contains("page 1/13")
    })
    .await;
    app.ch('i');
    app.wait_for("the issue dialog for load-tester", |s| {
        s.contains("Issue a certificate") && s.contains("load-tester")
    })
    .await;
    app.key(KeyCode::Esc);
    // The certificate pane keeps its page across a refresh.
    app.key(KeyCode::Tab);
    app.ch('n');
    app.ch('n');
    app.wait_for("page 3", |s| {
        s.contains("page 3/13") && !s.contains("loading")
    })
    .await;
    app.ch('j');
    app.ch('j');
    let certs = common::count_served(&h, "GET", "/certs");
    app.ch('r');
    served_more(&h, "/certs", certs).await;
    let s = app
        .wait_for("page 3 again", |s| s.contains("page 3/13"))
        .await;
    let (_, state) = app.stop().await;
    assert_eq!(state.certs.selected, 2, "the same row: {s}");
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_typed_while_a_list_loads_are_kept() {
    let h = common::sim_with(|c| c.latency = Duration::from_millis(300)).await;
    let app = harness::start(&h, 160, 45, TICK);
    // Typed before the projects arrive.
    app.ch('j');
    app.ch('j');
    app.wait_for("sandbox selected", |s| s.contains("> sandbox"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn help_scrolls_to_its_end_and_no_further() {
    let h = common::sim().await;
    let app = harness::start(&h, 80, 24, TICK);
    app.wait_for("the projects", |s| s.contains("payments-prod"))
        .await;
    app.ch('?');
    app.wait_for("help", |s| s.contains("Keys ·")).await;
    app.ch('G');
    let end = app
        .wait_for("the end of the help", |s| s.contains("This help"))
        .await;
    assert!(end.contains("Esc/?/q"), "{end}");
    let title = |s: &str| s.lines().nth(1).unwrap_or_default().to_string();
    // "Keys · A-B of N": at the end the last line shown is the last.
    let range = |s: &str| -> (u32, u32) {
        let t = title(s);
        let r = t.split("Keys · ").nth(1).unwrap_or_else(|| panic!("{s}"));
        let (shown, total) = r.split_once(" of ").unwrap();
        let last = shown.split_once('-').unwrap().1.parse().unwrap();
        let total = total.split_whitespace().next().unwrap().parse().unwrap();
        (last, total)
    };
    let (last, total) = range(&end);
    assert_eq!(last, total, "G shows the last line: {end}");
    assert!(total > 20, "the help holds every key: {end}");
    for _ in 0..50 {
        app.ch('j');
    }
    // A frame drawn after all fifty keys were taken.
    let after = app.wait_for("the fifty keys", |_| true).await;
    assert_eq!(title(&after), title(&end), "j past the end changes nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminating_signal_ends_the_loop() {
    let h = common::sim().await;
    let app = harness::start(&h, 120, 40, TICK);
    app.wait_for("the projects", |s| s.contains("payments-prod"))
        .await;
    app.signals.send(("SIGTERM", 143)).unwrap();
    let (r, _) = app.task.await.unwrap();
    assert_eq!(r.unwrap(), Stop::Signal("SIGTERM", 143));
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_z_suspends_and_the_screen_is_drawn_again_whole() {
    let h = common::sim().await;
    let app = harness::start(&h, 120, 40, TICK);
    app.wait_for("the projects", |s| s.contains("payments-prod"))
        .await;
    let clears = *app.clears.lock().unwrap();
    let frames = app.frame_count();
    app.ctrl('z');
    app.wait_for("the frame after the suspension", |_| true)
        .await;
    assert_eq!(app.host.0.lock().unwrap().suspends, 1);
    assert!(
        *app.clears.lock().unwrap() > clears,
        "cleared for a full redraw"
    );
    assert!(app.frame_count() > frames);
    assert!(app.screen().contains("payments-prod"));
}

/// Returns once the simulator has answered more GETs to `path` than `before`.
async fn served_more(h: &atlas_sim::SimHandle, path: &str, before: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while common::count_served(h, "GET", path) <= before {
        assert!(std::time::Instant::now() < deadline, "no GET {path}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn issue_for_alice(app: &App) {
    orders_users(app).await;
    app.ch('j');
    app.wait_for("alice", |s| s.contains("› alice")).await;
    app.ch('i');
    app.wait_for("the dialog", |s| s.contains("Issue a certificate"))
        .await;
    app.key(KeyCode::Enter);
    app.wait_for("the PEM", |s| s.contains("Certificate issued"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_reaches_the_terminal_through_the_loop_only() {
    let h = common::sim().await;
    let app = harness::start(&h, 160, 45, TICK);
    issue_for_alice(&app).await;
    app.ch('y');
    app.wait_for("copied", |s| s.contains("Copied the PEM"))
        .await;
    let raw = app.host.0.lock().unwrap().raw.clone();
    assert_eq!(raw.len(), 1);
    assert!(
        raw[0].windows(5).any(|w| w == b"]52;c"),
        "an OSC 52 sequence"
    );
    app.host.0.lock().unwrap().fail_writes = true;
    app.ch('y');
    let s = app
        .wait_for("the failed copy", |s| s.contains("did not take it"))
        .await;
    assert!(s.contains("Certificate issued"), "the PEM dialog stays");
    assert_eq!(
        app.host.0.lock().unwrap().raw.len(),
        1,
        "nothing half-written"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_discard_footer_does_not_offer_copy() {
    let h = common::sim().await;
    let app = harness::start(&h, 160, 45, TICK);
    issue_for_alice(&app).await;
    app.key(KeyCode::Esc);
    let s = app
        .wait_for("the discard question", |s| s.contains("Discard it?"))
        .await;
    let footer = s.lines().last().unwrap();
    assert!(footer.contains("y discard the key for good"), "{footer}");
    assert!(!footer.contains("copy"), "{footer}");
}
