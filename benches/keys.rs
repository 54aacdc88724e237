//! Key → frame latency of the real event loop, in-process: a key enters the
//! event stream, `update` runs, the frame is flushed to a recording backend.
//! Prints p50 / p99 against the 16 ms target (one frame at 60 Hz).
//!
//! cargo bench --profile bench-fast --bench keys

#[path = "../tests/it/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::time::{Duration, Instant};

use crossterm::event::KeyCode;

const ROUNDS: usize = 600;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Sends Tab and measures until the first frame that shows the focus moved.
async fn measure(app: &common::harness::App) -> Vec<Duration> {
    let markers = ["▶ Database users", "▶ Certificates", "▶ Projects"];
    let mut out = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        let want = markers[i % 3];
        let sent = Instant::now();
        app.key(KeyCode::Tab);
        let deadline = sent + Duration::from_secs(5);
        let drawn = loop {
            let hit = app
                .frames
                .lock()
                .unwrap()
                .iter()
                .rev()
                .take_while(|(t, _, _)| *t >= sent)
                .find(|(_, s, _)| s.contains(want))
                .map(|(t, _, _)| *t);
            if let Some(t) = hit {
                break t;
            }
            assert!(Instant::now() < deadline, "no frame for key {i}");
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        out.push(drawn - sent);
        app.frames.lock().unwrap().clear();
    }
    out
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let h = common::sim().await;
        for (w, hgt) in [(80, 24), (200, 60)] {
            let app = common::harness::start(&h, w, hgt, atlas_x509::tui::TICK);
            app.wait_for("the panes", |s| s.contains("payments-prod") && s.contains("app-admin"))
                .await;
            let mut lat = measure(&app).await;
            lat.sort();
            let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
            println!(
                "key → frame at {w}x{hgt}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {ROUNDS} keys (target p99 < 16 ms: {})",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3,
                lat.last().unwrap().as_secs_f64() * 1e3,
                if p99 < Duration::from_millis(16) { "pass" } else { "MISS" }
            );
            let _ = app.stop().await;
        }
    });
}
