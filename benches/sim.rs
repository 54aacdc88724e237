//! The simulator's throughput: authenticated list requests per second on
//! loopback (HTTP Digest with nonce reuse, and bearer tokens), from clients
//! in the same process, on the same cores. Target: ≥ 5,000 requests/s.
//!
//! cargo bench --profile bench-fast --bench sim

#[path = "../tests/it/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use atlas_client::{Client, PageRequest};

const TASKS: usize = 16;
const RUN: Duration = Duration::from_secs(3);

async fn rate(client: &Client, what: &str) -> f64 {
    // Warm: the first call pays the challenge or the token.
    client.list_projects(PageRequest::new(1, 10)).await.unwrap();
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (client, done) = (client.clone(), done.clone());
            tokio::spawn(async move {
                while start.elapsed() < RUN {
                    client
                        .list_users(common::ORDERS, PageRequest::new(1, 10))
                        .await
                        .unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let per_s = done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    println!(
        "simulator, {what}: {per_s:.0} authenticated list requests/s ({TASKS} in flight; target ≥ 5,000: {})",
        if per_s >= 5000.0 { "pass" } else { "MISS" }
    );
    per_s
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let h = common::sim().await;
        let digest = common::digest_client(&h);
        let bearer = common::bearer_client(&h);
        for _ in 0..2 {
            rate(&digest, "HTTP Digest").await;
            rate(&bearer, "bearer token").await;
        }
        h.stop().await;
    });
}
