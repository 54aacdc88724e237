//! The TUI's figures, in-process: the first frame of the real loop, a
//! prefetched certificate page flip, the frame time with 100,000 users and
//! a 500-row certificate page loaded, and the heap the state holds for them
//! (counted by a wrapping allocator). Prints one line per figure with its
//! target.
//!
//! cargo bench --profile bench-fast --bench tui

#[path = "../tests/it/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use atlas_client::Page;
use atlas_x509::app::{ApiResult, Command, Msg, State, init, update};
use atlas_x509::ui::{self, Theme};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Live heap bytes, to weigh what the state holds.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        LIVE.fetch_add(new, Ordering::Relaxed);
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const USERS: usize = 100_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn verdict(ok: bool) -> &'static str {
    if ok { "pass" } else { "MISS" }
}

fn users_page(from: usize, n: usize) -> Page<atlas_client::DatabaseUser> {
    let results: Vec<serde_json::Value> = (from..from + n)
        .map(|i| {
            serde_json::json!({
                "username": format!("CN=svc-{i:06},OU=payments,O=acme"),
                "databaseName": "$external",
                "x509Type": if i % 3 == 0 { "MANAGED" } else { "NONE" },
                "roles": [{"roleName": "readWrite", "databaseName": "app"}],
                "scopes": [], "labels": []
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({"results": results, "totalCount": USERS})).unwrap()
}

fn answer(state: &mut State, cmds: Vec<Command>) -> Vec<Command> {
    let mut next = vec![];
    for cmd in cmds {
        let reply = match cmd {
            Command::FetchProjects { id, .. } => {
                let p = serde_json::from_value(serde_json::json!({
                    "results": [{"id": common::fixtures::P1, "name": "payments-prod"}],
                    "totalCount": 1
                }))
                .unwrap();
                Some((id, ApiResult::Projects(Ok(p))))
            }
            Command::FetchUsers { id, page, .. } => {
                let from = (page.page_num as usize - 1) * page.items_per_page as usize;
                let n = (page.items_per_page as usize).min(USERS.saturating_sub(from));
                Some((id, ApiResult::Users(Ok(users_page(from, n)))))
            }
            Command::FetchCerts { id, page, .. } => {
                let certs = serde_json::from_value(serde_json::json!({
                    "results": (0..page.items_per_page as u64).map(|i| serde_json::json!({
                        "_id": 9_000_000_000_000_000_000u64 + i,
                        "createdAt": "2026-01-01T00:00:00Z",
                        "notAfter": "2027-01-01T00:00:00Z",
                        "subject": "CN=svc-000000,OU=payments,O=acme"})).collect::<Vec<_>>(),
                    "totalCount": 10_000
                }))
                .unwrap();
                Some((id, ApiResult::Certs(page.page_num, Ok(certs))))
            }
            _ => None,
        };
        if let Some((id, r)) = reply {
            next.extend(update(state, Msg::Api(id, r)));
        }
    }
    next
}

/// 100,000 users loaded the way a user loads them (scrolling to the end),
/// a 500-row certificate page beside them; frame time and state heap.
fn loaded_state() {
    let before = LIVE.load(Ordering::Relaxed);
    let mut env = common::fixtures::env();
    env.items_per_page = 500;
    let mut s = State::new(env, "2026-11-22T00:00:00Z".parse().unwrap());
    let mut cmds = init(&mut s);
    for _ in 0..4 {
        cmds = answer(&mut s, cmds);
    }
    update(&mut s, common::fixtures::key(KeyCode::Tab));
    let started = Instant::now();
    while s.users.items.len() < USERS {
        let cmds = update(&mut s, common::fixtures::key(KeyCode::End));
        let mut more = answer(&mut s, cmds);
        while !more.is_empty() {
            more = answer(&mut s, more);
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "users did not load"
        );
    }
    let heap = LIVE.load(Ordering::Relaxed).saturating_sub(before) as f64 / (1 << 20) as f64;
    println!(
        "state heap with {USERS} users and a 500-row certificate page: {heap:.1} MiB (in-process; the TUI's RSS target is < 40 MB)"
    );
    let theme = Theme::new(true);
    let empty = State::new(
        common::fixtures::env(),
        "2026-11-22T00:00:00Z".parse().unwrap(),
    );
    for (w, h) in [(80, 24), (200, 60)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut runs: Vec<Duration> = (0..200)
            .map(|_| {
                let start = Instant::now();
                t.draw(|f| ui::draw(f, &empty, &theme)).unwrap();
                start.elapsed()
            })
            .collect();
        runs.sort();
        println!(
            "frame at {w}x{h} with nothing loaded (for scale): p50 {:.3} ms",
            ms(percentile(&runs, 0.5))
        );
    }
    for (w, h) in [(80, 24), (200, 60)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut runs = Vec::new();
        for i in 0..200 {
            // Alternate between the users and certificates panes' ends.
            if i % 50 == 0 {
                update(&mut s, common::fixtures::key(KeyCode::Tab));
            }
            let start = Instant::now();
            t.draw(|f| ui::draw(f, &s, &theme)).unwrap();
            runs.push(start.elapsed());
        }
        runs.sort();
        let p50 = percentile(&runs, 0.5);
        println!(
            "frame at {w}x{h} with {USERS} users and 500 certificates: p50 {:.3} ms, p99 {:.3} ms (target < 1 ms: {})",
            ms(p50),
            ms(percentile(&runs, 0.99)),
            verdict(p50 < Duration::from_millis(1))
        );
    }
}

/// The real loop against the simulator: from start to the first frame.
async fn first_frame(h: &atlas_sim::SimHandle) {
    let mut runs = vec![];
    for _ in 0..20 {
        let t = Instant::now();
        let app = common::harness::start(h, 80, 24, atlas_x509::tui::TICK);
        let first = loop {
            if let Some((at, _, _)) = app.frames.lock().unwrap().first() {
                break *at;
            }
            tokio::time::sleep(Duration::from_micros(100)).await;
        };
        runs.push(first - t);
        let _ = app.stop().await;
    }
    runs.sort();
    let p50 = percentile(&runs, 0.5);
    println!(
        "first frame (loop start → frame on the backend): p50 {:.2} ms, max {:.2} ms (target < 30 ms: {})",
        ms(p50),
        ms(*runs.last().unwrap()),
        verdict(p50 < Duration::from_millis(30))
    );
}

/// load-tester's certificates, 100 a page: each `n` after the next page
/// was prefetched must show it in the very next frame.
async fn page_flip(h: &atlas_sim::SimHandle) {
    let app = common::harness::start(h, 120, 40, atlas_x509::tui::TICK);
    app.wait_for("the projects", |s| s.contains("orders-staging"))
        .await;
    app.ch('j');
    app.wait_for("orders-staging's users", |s| s.contains("load-tester"))
        .await;
    app.key(KeyCode::Tab);
    for _ in 0..3 {
        app.ch('j');
    }
    app.wait_for("load-tester's certificates", |s| {
        s.contains("› load-tester") && s.contains("page 1/13")
    })
    .await;
    app.key(KeyCode::Tab);
    let (mut lat, mut first_frame) = (vec![], 0);
    for page in 2..=13 {
        // Time for the prefetch of `page` to land.
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.frames.lock().unwrap().clear();
        let sent = Instant::now();
        app.ch('n');
        let want = format!("page {page}/13");
        let shown = app.wait_for(&want, |s| s.contains(&want)).await;
        let frames = app.frames.lock().unwrap();
        let after: Vec<_> = frames.iter().filter(|(t, _, _)| *t >= sent).collect();
        if after.first().is_some_and(|(_, s, _)| s.contains(&want)) {
            first_frame += 1;
        }
        let at = after.iter().find(|(_, s, _)| s.contains(&want)).unwrap().0;
        lat.push(at - sent);
        drop(frames);
        assert!(shown.contains(&want));
    }
    lat.sort();
    println!(
        "prefetched page flip: in the first frame after the key {first_frame}/12, key → page p50 {:.2} ms, max {:.2} ms (target 12/12: {})",
        ms(percentile(&lat, 0.5)),
        ms(*lat.last().unwrap()),
        verdict(first_frame == 12)
    );
    let _ = app.stop().await;
}

fn main() {
    loaded_state();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let h = common::sim().await;
        first_frame(&h).await;
        page_flip(&h).await;
    });
}
