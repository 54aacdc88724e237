//! Atlas limits each endpoint set with a token bucket per scope (a
//! project's certificates, a project's users, the caller's project list).
//! For every bucket it can tell apart, the client keeps what the last
//! answer said was left (`RateLimit-Remaining`) and until when a 429 asked
//! to wait (`Retry-After`): requests for an empty bucket wait for its
//! refill, one probe at a time, instead of drawing a 429 each, while the
//! other buckets go on at full speed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Which bucket a request draws on, as far as the path tells: the
/// resource kind, and the project for project-scoped ones.
pub fn key_of(path: &str) -> String {
    let rest = path.split_once("/api/atlas/").map_or(path, |(_, r)| r);
    let segs: Vec<&str> = rest.split('/').skip(1).collect();
    match segs.as_slice() {
        ["groups", gid, "databaseUsers", _, "certs"] => format!("certs:{gid}"),
        ["groups", gid, kind, ..] => format!("{kind}:{gid}"),
        [kind, ..] => (*kind).to_string(),
        [] => String::new(),
    }
}

#[derive(Default)]
struct State {
    /// Requests the bucket can take now: what an answer said was left,
    /// or the capacity of its kind; `None`: unknown, no limit of ours.
    remaining: Option<u64>,
    /// `remaining` came from Atlas (not the one request a bucket of a
    /// kind never answered gets to find out).
    said: bool,
    in_flight: usize,
    until: Option<Instant>,
}

/// Buckets beyond this many are forgotten when idle: a scan of thousands
/// of projects must not keep one entry for each forever.
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub struct Buckets {
    map: Mutex<HashMap<String, State>>,
    /// Per kind of bucket that has answered: its capacity
    /// (`RateLimit-Limit`), if said. A project's bucket not yet used is
    /// taken to hold what its kind holds, so the first requests to it come
    /// no more at once than it can answer; until a kind first answers, one
    /// request per bucket finds out.
    capacity: Mutex<HashMap<String, Option<u64>>>,
    changed: Notify,
}

fn kind_of(key: &str) -> &str {
    key.split(':').next().unwrap_or(key)
}

/// A request's place in its bucket, given back when it is answered.
pub struct Turn<'a> {
    buckets: &'a Buckets,
    key: String,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut map = self.buckets.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = map.get_mut(&self.key) {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
        drop(map);
        self.buckets.changed.notify_waiters();
    }
}

/// What waiting for a bucket came to.
pub enum Wait {
    /// A 429 asked for longer than the caller waits: said, not waited.
    TooLong(Duration),
}

impl Buckets {
    /// Waits until the bucket may take one more request: not while a 429's
    /// wait runs, and no more in flight than the bucket was last said to
    /// hold (at least one, which finds out whether it refilled).
    pub async fn turn(&self, key: String, longest: Duration) -> Result<Turn<'_>, Wait> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let until = {
                let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
                if map.len() >= MAX_KEYS && !map.contains_key(&key) {
                    let now = Instant::now();
                    map.retain(|_, s| s.in_flight > 0 || s.until.is_some_and(|u| u > now));
                }
                let s = map.entry(key.clone()).or_insert_with(|| {
                    match self
                        .capacity
                        .lock()
                        .ok()
                        .and_then(|c| c.get(kind_of(&key)).copied())
                    {
                        Some(capacity) => State {
                            remaining: capacity,
                            said: capacity.is_some(),
                            ..State::default()
                        },
                        // Never answered: room for one (none left leaves
                        // room for one probe).
                        None => State {
                            remaining: Some(0),
                            ..State::default()
                        },
                    }
                });
                let now = Instant::now();
                match s.until {
                    Some(u) if u > now => Some(u),
                    _ => {
                        s.until = None;
                        let room = s.remaining.map_or(usize::MAX, |r| {
                            usize::try_from(r).unwrap_or(usize::MAX).max(1)
                        });
                        if s.in_flight < room {
                            s.in_flight += 1;
                            return Ok(Turn { buckets: self, key });
                        }
                        None
                    }
                }
            };
            match until {
                Some(u) => {
                    let wait = u.saturating_duration_since(Instant::now());
                    if wait > longest {
                        return Err(Wait::TooLong(wait));
                    }
                    tokio::time::sleep_until(u.into()).await;
                }
                None => notified.await,
            }
        }
    }

    /// One answer from the bucket: its capacity and what it says is left,
    /// and for a 429, how long it asks to wait (a second when it does not
    /// say). True for a 429 the client did not expect: the bucket was not
    /// known to be empty (a probe of an empty one is expected to fail).
    pub fn observe(
        &self,
        key: &str,
        status: u16,
        (limit, remaining): (Option<u64>, Option<u64>),
        wait: Option<Duration>,
    ) -> bool {
        // Only an answer served tells what a kind of bucket is like; a 429
        // or a 5xx says nothing of it.
        if (200..300).contains(&status)
            && let Ok(mut c) = self.capacity.lock()
            && (c.len() < 64 || c.contains_key(kind_of(key)))
        {
            let known = c.entry(kind_of(key).to_string()).or_insert(None);
            if limit.is_some() {
                *known = limit;
            }
        }
        let surprise = {
            let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
            let s = map.entry(key.to_string()).or_default();
            let surprise = status == 429 && !(s.said && s.remaining == Some(0));
            if status == 429 {
                // A server's number: capped, so no sum can overflow (a wait
                // this long is over any caller's anyway).
                let wait = wait
                    .unwrap_or(Duration::from_secs(1))
                    .min(Duration::from_secs(86_400));
                let until = Instant::now() + wait;
                s.until = Some(s.until.map_or(until, |u| u.max(until)));
                s.remaining = Some(0);
                s.said = true;
            } else {
                // No header: nothing known, no limit of ours (Atlas does
                // not always send them).
                s.remaining = remaining;
                s.said = remaining.is_some();
            }
            surprise
        };
        self.changed.notify_waiters();
        surprise
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_told_apart_by_resource_and_project() {
        let g = "https://cloud.mongodb.com/api/atlas/v2/groups/65aa";
        assert_eq!(
            key_of(&format!("{g}/databaseUsers/CN%3Da/certs")),
            "certs:65aa"
        );
        assert_eq!(key_of(&format!("{g}/databaseUsers")), "databaseUsers:65aa");
        assert_eq!(key_of(&format!("{g}/userSecurity")), "userSecurity:65aa");
        assert_eq!(key_of("/api/atlas/v2/groups"), "groups");
        assert_eq!(key_of("/api/atlas/v2/groups/65aa"), "groups");
    }

    #[tokio::test]
    async fn an_empty_bucket_holds_its_requests_until_it_refills() {
        let b = Buckets::default();
        let long = Duration::from_secs(30);
        let t = b.turn("certs:a".into(), long).await.ok().unwrap();
        assert!(b.observe(
            "certs:a",
            429,
            (None, None),
            Some(Duration::from_millis(200))
        ));
        drop(t);
        // Another bucket is not held.
        assert!(b.turn("certs:b".into(), long).await.is_ok());
        // A probe of a bucket known to be empty is expected to fail.
        assert!(!b.observe("certs:c", 200, (None, Some(0)), None));
        assert!(!b.observe("certs:c", 429, (None, None), None));
        let started = Instant::now();
        let probe = b.turn("certs:a".into(), long).await.ok().unwrap();
        assert!(started.elapsed() >= Duration::from_millis(190));
        // One probe at a time while the bucket is said to be empty.
        assert!(
            tokio::time::timeout(Duration::from_millis(50), b.turn("certs:a".into(), long))
                .await
                .is_err()
        );
        b.observe("certs:a", 200, (Some(10), Some(5)), None);
        drop(probe);
        let many: Vec<_> =
            futures_util::future::join_all((0..5).map(|_| b.turn("certs:a".into(), long))).await;
        assert!(many.iter().all(Result::is_ok), "five left: five at once");
        // A project's bucket not yet used holds what its kind holds.
        let fresh: Vec<_> =
            futures_util::future::join_all((0..10).map(|_| b.turn("certs:new".into(), long))).await;
        assert!(fresh.iter().all(Result::is_ok));
        assert!(
            tokio::time::timeout(Duration::from_millis(50), b.turn("certs:new".into(), long))
                .await
                .is_err(),
            "not an eleventh at once"
        );
        drop(fresh);
        // A wait longer than the caller's is said, not waited; a server's
        // absurd one cannot overflow the clock.
        b.observe(
            "certs:z",
            429,
            (None, None),
            Some(Duration::from_secs(u64::MAX)),
        );
        assert!(matches!(
            b.turn("certs:z".into(), long).await,
            Err(Wait::TooLong(_))
        ));
        assert!(
            b.observe("certs:a", 429, (None, None), Some(Duration::from_secs(300))),
            "five were said to be left"
        );
        drop(many);
        assert!(matches!(
            b.turn("certs:a".into(), long).await,
            Err(Wait::TooLong(_))
        ));
    }
}
