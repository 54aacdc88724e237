//! A hostile (or merely broken) Atlas for the fault tests. It speaks HTTP at
//! the byte level so that it can lie, cut, stall, drip and reset where a real
//! server library would refuse to. Loopback only; each connection lives at
//! most `CONN_LIFETIME`, and the whole server stops when dropped.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CONN_LIFETIME: Duration = Duration::from_secs(120);
const MAX_HEAD: usize = 64 * 1024;

/// A request as the hostile server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn query(&self, name: &str) -> Option<String> {
        let q = self.target.split_once('?')?.1;
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }

    pub fn page_num(&self) -> u32 {
        self.query("pageNum")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
    }

    pub fn per_page(&self) -> u32 {
        self.query("itemsPerPage")
            .and_then(|v| v.parse().ok())
            .unwrap_or(100)
    }
}

/// What to do with one request.
pub enum Reply {
    /// These bytes, then close.
    Raw(Vec<u8>),
    /// These bytes one at a time, `every` apart, then close.
    Drip { bytes: Vec<u8>, every: Duration },
    /// The first `n` bytes, then close: a cut answer.
    Cut(Vec<u8>, usize),
    /// Read the request, answer nothing, hold the connection.
    Stall,
    /// Read the request, then reset the connection.
    Reset,
}

pub struct Hostile {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self, method: &str, path_contains: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.target.contains(path_contains))
            .count()
    }
}

type Script = dyn Fn(&Seen) -> Reply + Send + Sync;

pub async fn start(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script: Arc<Script> = Arc::new(script);
    let log = seen.clone();
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (script, log) = (script.clone(), log.clone());
            conns.spawn(async move {
                let _ = tokio::time::timeout(CONN_LIFETIME, serve(stream, &*script, &log)).await;
            });
        }
    });
    Hostile {
        base_url,
        seen,
        task,
    }
}

async fn serve(mut stream: TcpStream, script: &Script, log: &Mutex<Vec<Seen>>) {
    // One request per connection: every answer says `Connection: close`.
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    log.lock().unwrap().push(req.clone());
    match script(&req) {
        Reply::Raw(bytes) => {
            let _ = stream.write_all(&bytes).await;
            let _ = stream.shutdown().await;
        }
        Reply::Drip { bytes, every } => {
            for b in bytes {
                if stream.write_all(&[b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(every).await;
            }
        }
        Reply::Cut(bytes, n) => {
            let _ = stream.write_all(&bytes[..n.min(bytes.len())]).await;
            let _ = stream.shutdown().await;
        }
        Reply::Stall => tokio::time::sleep(CONN_LIFETIME).await,
        Reply::Reset => {
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

/// A whole HTTP/1.1 answer.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n").into_bytes();
    let mut has_len = false;
    for (k, v) in headers {
        has_len |= k.eq_ignore_ascii_case("content-length");
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    if !has_len {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

pub fn json(status: u16, body: &str) -> Reply {
    Reply::Raw(response(
        status,
        &[("Content-Type", "application/vnd.atlas.2023-01-01+json")],
        body.as_bytes(),
    ))
}

/// An Atlas error body with this code and detail.
pub fn atlas_error(status: u16, code: &str, detail: &str) -> String {
    serde_json::json!({
        "detail": detail, "error": status, "errorCode": code,
        "parameters": [], "reason": "Hostile"
    })
    .to_string()
}

/// A page of `n` projects numbered from `start`, with `totalCount`.
pub fn projects_page(start: u64, n: u64, total: serde_json::Value) -> String {
    let results: Vec<serde_json::Value> = (start..start + n)
        .map(|i| serde_json::json!({"id": format!("{i:024x}"), "name": format!("p{i}"), "orgId": "a0123456789abcdef012345a", "clusterCount": 0}))
        .collect();
    serde_json::json!({
        "results": results,
        "totalCount": total,
        "links": [{"rel": "next", "href": "http://elsewhere/next"}],
    })
    .to_string()
}
