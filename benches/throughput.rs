//! `cargo bench`: figures, not pass/fail. Medians over several runs against
//! the simulator on loopback with injected latency (a stand-in for the
//! round trip to Atlas).

use std::time::{Duration, Instant};

use atlas_client::{Client, ClientConfig, Credentials, PageRequest};
use atlas_sim::{KeyType, SimConfig};
use atlas_x509::app::{ApiResult, Command, Env, Msg, State, init, update};
use atlas_x509::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const ORDERS: &str = "65f1a2b3c4d5e6f708192a3c";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn paging(latency: Duration) {
    let h = atlas_sim::start(SimConfig {
        key_type: KeyType::Ec,
        latency,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let creds = Credentials::api_key(&h.credentials.public_key, &h.credentials.private_key);
    let client = Client::new(ClientConfig::new(h.base_url(), creds)).unwrap();
    client.list_projects(PageRequest::default()).await.unwrap();
    println!(
        "all 1,201 certificates of one user, 100 per page, {} ms latency per request:",
        latency.as_millis()
    );
    let mut base = None;
    for conc in [1, 4, 8] {
        let mut runs = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let all = client
                .all_certs(ORDERS, "load-tester", 100, conc)
                .await
                .unwrap();
            assert_eq!(all.len(), 1201);
            runs.push(t.elapsed());
        }
        let m = median(runs);
        let b = *base.get_or_insert(m);
        println!(
            "  concurrency {conc}: median {:7.1} ms  ({:.1}x vs 1)",
            ms(m),
            b.as_secs_f64() / m.as_secs_f64()
        );
    }
    let before = h.requests().len();
    let calls = 50;
    let mut runs = Vec::new();
    for _ in 0..calls {
        let t = Instant::now();
        client.list_projects(PageRequest::default()).await.unwrap();
        runs.push(t.elapsed());
    }
    let sent = h.requests().len() - before;
    println!(
        "Digest with nonce reuse: {calls} calls sent {sent} requests (a 401 round trip each would be {}); median call {:.1} ms",
        calls * 2,
        ms(median(runs))
    );
}

fn render() {
    let env = Env {
        target: "DEMO".into(),
        credentials: "API key bench".into(),
        items_per_page: 500,
        default_months: 3,
        concurrency: 20,
        start: None,
        renewal: Default::default(),
        save_dir: None,
        notes: vec![],
        keymap: Default::default(),
        test_panic_key: None,
    };
    let mut s = State::new(env, "2026-11-22T00:00:00Z".parse().unwrap());
    let Command::FetchProjects { id, .. } = init(&mut s).remove(0) else {
        unreachable!()
    };
    let projects = serde_json::from_value(
        serde_json::json!({"results": [{"id": ORDERS, "name": "orders"}], "totalCount": 1}),
    )
    .unwrap();
    let Command::FetchUsers { id, .. } =
        update(&mut s, Msg::Api(id, ApiResult::Projects(Ok(projects)))).remove(0)
    else {
        unreachable!()
    };
    let users = serde_json::from_value(serde_json::json!({"results": (0..500).map(|i| serde_json::json!({"username": format!("user-{i}"), "databaseName": "$external", "x509Type": "MANAGED"})).collect::<Vec<_>>(), "totalCount": 500})).unwrap();
    let Command::FetchCerts { id, .. } =
        update(&mut s, Msg::Api(id, ApiResult::Users(Ok(users)))).remove(0)
    else {
        unreachable!()
    };
    let certs = serde_json::from_value(serde_json::json!({"results": (0..500u64).map(|i| serde_json::json!({"_id": 9_000_000_000_000_000_000u64 + i, "createdAt": "2026-01-01T00:00:00Z", "notAfter": "2027-01-01T00:00:00Z", "subject": "CN=user-0"})).collect::<Vec<_>>(), "totalCount": 1201})).unwrap();
    update(&mut s, Msg::Api(id, ApiResult::Certs(1, Ok(certs))));
    let theme = Theme::new(true);
    for (w, h) in [(80, 24), (200, 60)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut runs = Vec::new();
        for _ in 0..200 {
            let start = Instant::now();
            t.draw(|f| ui::draw(f, &s, &theme)).unwrap();
            runs.push(start.elapsed());
        }
        println!(
            "one frame at {w}x{h} (500 users, 500-row certificate page): median {:.3} ms",
            ms(median(runs))
        );
    }
}

fn main() {
    // `cargo bench` passes --bench; nothing to parse.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(paging(Duration::from_millis(20)));
    render();
}
