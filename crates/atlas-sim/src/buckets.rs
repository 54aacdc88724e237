//! Atlas's rate limits as its documentation describes them: a token bucket
//! per endpoint set and scope. A bucket holds `capacity` tokens, each
//! request takes one, `refill_rate` come back every `refill_secs`; an
//! empty bucket answers 429 `RATE_LIMITED_TOKEN_BUCKET` with `Retry-After`
//! (the time to the next refill). Capacities are the ones recorded answers
//! show (`RateLimit-Limit`); `GET /api/atlas/v2/rateLimits` lists the sets.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::error::SimError;

/// `N/min`, `N/Nmin` or `N/Ns`: N requests per window, then 429s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub window: Duration,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("rate limit {s:?} is not N/min, N/<k>min or N/<k>s");
        let (n, per) = s.split_once('/').ok_or_else(bad)?;
        let limit: u32 = n.trim().parse().map_err(|_| bad())?;
        let per = per.trim();
        let (count, unit) =
            per.split_at(per.find(|c: char| !c.is_ascii_digit()).unwrap_or(per.len()));
        let count: u64 = if count.is_empty() {
            1
        } else {
            count.parse().map_err(|_| bad())?
        };
        let secs = match unit {
            "min" | "m" => 60,
            "s" => 1,
            _ => return Err(bad()),
        };
        if limit == 0 || count == 0 {
            return Err(bad());
        }
        Ok(RateLimit {
            limit,
            window: Duration::from_secs(count * secs),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One bucket per project (`groupId` in the path).
    Group,
    /// One bucket per caller.
    User,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::Group => "GROUP",
            Scope::User => "USER",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Set {
    pub id: &'static str,
    pub name: &'static str,
    pub scope: Scope,
    pub capacity: u32,
    pub refill_rate: u32,
    pub refill_secs: u32,
    pub endpoints: &'static [(&'static str, &'static str)],
}

const V2: &str = "/api/atlas/v2";

pub const SETS: &[Set] = &[
    Set {
        id: "projects_user",
        name: "Projects",
        scope: Scope::User,
        capacity: 1_200,
        refill_rate: 100,
        refill_secs: 5,
        endpoints: &[
            ("GET", "/api/atlas/v2/groups"),
            ("GET", "/api/atlas/v2/groups/{groupId}"),
        ],
    },
    Set {
        id: "databaseUsers_group",
        name: "Database Users",
        scope: Scope::Group,
        capacity: 10_000,
        refill_rate: 1_000,
        refill_secs: 6,
        endpoints: &[
            ("GET", "/api/atlas/v2/groups/{groupId}/databaseUsers"),
            ("POST", "/api/atlas/v2/groups/{groupId}/databaseUsers"),
            (
                "GET",
                "/api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}",
            ),
            (
                "DELETE",
                "/api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}",
            ),
        ],
    },
    Set {
        id: "databaseUserCertificates_group",
        name: "Database User Certificates",
        scope: Scope::Group,
        capacity: 1_200,
        refill_rate: 100,
        refill_secs: 5,
        endpoints: &[
            (
                "GET",
                "/api/atlas/v2/groups/{groupId}/databaseUsers/{username}/certs",
            ),
            (
                "POST",
                "/api/atlas/v2/groups/{groupId}/databaseUsers/{username}/certs",
            ),
        ],
    },
    Set {
        id: "userSecurity_group",
        name: "User Security",
        scope: Scope::Group,
        capacity: 1_200,
        refill_rate: 100,
        refill_secs: 5,
        endpoints: &[
            ("GET", "/api/atlas/v2/groups/{groupId}/userSecurity"),
            ("PATCH", "/api/atlas/v2/groups/{groupId}/userSecurity"),
            (
                "DELETE",
                "/api/atlas/v2/groups/{groupId}/userSecurity/customerX509",
            ),
        ],
    },
    Set {
        id: "rateLimitsInspection_user",
        name: "Rate Limits Inspection",
        scope: Scope::User,
        capacity: 100,
        refill_rate: 10,
        refill_secs: 60,
        endpoints: &[
            ("GET", "/api/atlas/v2/rateLimits"),
            ("GET", "/api/atlas/v2/rateLimits/{endpointSetId}"),
        ],
    },
];

/// The set a request draws on, and its scope's key.
pub fn classify(path: &str) -> (&'static Set, String) {
    let rest = path
        .strip_prefix(V2)
        .or_else(|| path.strip_prefix("/api/atlas/v1.0"))
        .unwrap_or(path);
    let segs: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let by_id = |id: &str| SETS.iter().find(|s| s.id == id).expect("a known set");
    match segs.as_slice() {
        ["groups", gid, "databaseUsers", _, "certs"] => {
            (by_id("databaseUserCertificates_group"), gid.to_string())
        }
        ["groups", gid, "databaseUsers", ..] => (by_id("databaseUsers_group"), gid.to_string()),
        ["groups", gid, "userSecurity", ..] => (by_id("userSecurity_group"), gid.to_string()),
        ["rateLimits", ..] => (by_id("rateLimitsInspection_user"), String::new()),
        _ => (by_id("projects_user"), String::new()),
    }
}

/// A set's numbers: its own, or the ones `--rate-limit` imposes on all.
fn limits(set: &Set, imposed: Option<RateLimit>) -> (u32, u32, u32) {
    match imposed {
        Some(rl) => (
            rl.limit,
            rl.limit,
            u32::try_from(rl.window.as_secs().max(1)).unwrap_or(u32::MAX),
        ),
        None => (set.capacity, set.refill_rate, set.refill_secs),
    }
}

struct Bucket {
    tokens: u32,
    born: Instant,
    refills: u64,
}

/// Every bucket in use. A client naming ever new projects cannot grow it
/// past `MAX_BUCKETS`: full buckets (indistinguishable from new) go first.
pub struct Buckets {
    imposed: Option<RateLimit>,
    map: HashMap<(&'static str, String), Bucket>,
}

const MAX_BUCKETS: usize = 50_000;

/// What one request drew: `Ok((capacity, remaining))`, or the 429's parts.
pub enum Draw {
    Ok {
        limit: u32,
        remaining: u32,
    },
    Empty {
        error: SimError,
        retry_after: u64,
        limit: u32,
    },
}

impl Buckets {
    pub fn new(imposed: Option<RateLimit>) -> Self {
        Self {
            imposed,
            map: HashMap::new(),
        }
    }

    pub fn draw(&mut self, path: &str, now: Instant) -> Draw {
        let (set, key) = classify(path);
        let (capacity, rate, secs) = limits(set, self.imposed);
        if self.map.len() >= MAX_BUCKETS && !self.map.contains_key(&(set.id, key.clone())) {
            self.refill_all(now);
            self.map.retain(|(id, _), b| {
                let cap = SETS
                    .iter()
                    .find(|s| s.id == *id)
                    .map_or(0, |s| limits(s, self.imposed).0);
                b.tokens < cap
            });
        }
        let b = self.map.entry((set.id, key)).or_insert(Bucket {
            tokens: capacity,
            born: now,
            refills: 0,
        });
        refill(b, now, capacity, rate, secs);
        if b.tokens > 0 {
            b.tokens -= 1;
            return Draw::Ok {
                limit: capacity,
                remaining: b.tokens,
            };
        }
        let period = Duration::from_secs(u64::from(secs));
        let next = u32::try_from(b.refills + 1)
            .ok()
            .and_then(|n| period.checked_mul(n))
            .and_then(|d| b.born.checked_add(d));
        let wait = next.map_or(period, |n| n.saturating_duration_since(now));
        let retry_after = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
        let shown = path.trim_start_matches('/');
        Draw::Empty {
            error: SimError::new(
                429,
                "RATE_LIMITED_TOKEN_BUCKET",
                format!(
                    "Rate limit exceeded for {shown}. Please retry after {retry_after} seconds. Request capacity: {capacity}. Refill rate: {rate} per {secs} seconds."
                ),
                vec![
                    json!(shown),
                    json!(retry_after),
                    json!(capacity),
                    json!(rate),
                    json!(secs),
                ],
            ),
            retry_after,
            limit: capacity,
        }
    }

    fn refill_all(&mut self, now: Instant) {
        for ((id, _), b) in self.map.iter_mut() {
            if let Some(set) = SETS.iter().find(|s| s.id == *id) {
                let (c, r, s) = limits(set, self.imposed);
                refill(b, now, c, r, s);
            }
        }
    }

    /// The sets as `GET /rateLimits` lists them (for `group`, a project's
    /// view: its own buckets' sets and the caller's).
    pub fn describe(&self, set: &Set) -> Value {
        let (capacity, rate, secs) = limits(set, self.imposed);
        json!({
            "endpointSetId": set.id,
            "endpointSetName": set.name,
            "scope": set.scope.name(),
            "capacity": { "value": capacity, "defaultValue": set.capacity },
            "refillRate": { "value": rate, "defaultValue": set.refill_rate },
            "refillDurationSeconds": { "value": secs, "defaultValue": set.refill_secs },
            "endpoints": set.endpoints.iter().map(|(m, p)| json!({"method": m, "path": p})).collect::<Vec<_>>(),
        })
    }
}

fn refill(b: &mut Bucket, now: Instant, capacity: u32, rate: u32, secs: u32) {
    let period = u128::from(secs.max(1)) * 1_000;
    let due = (now.saturating_duration_since(b.born).as_millis() / period) as u64;
    if due > b.refills {
        let add = (due - b.refills).saturating_mul(u64::from(rate));
        b.tokens =
            u32::try_from((u64::from(b.tokens) + add).min(u64::from(capacity))).unwrap_or(capacity);
        b.refills = due;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_into_their_sets() {
        let g = "/api/atlas/v2/groups/6500000000000000000000aa";
        assert_eq!(classify("/api/atlas/v2/groups").0.id, "projects_user");
        assert_eq!(classify(g).0.id, "projects_user");
        let (set, key) = classify(&format!("{g}/databaseUsers/CN%3Dx/certs"));
        assert_eq!(
            (set.id, key.as_str()),
            ("databaseUserCertificates_group", "6500000000000000000000aa")
        );
        assert_eq!(
            classify(&format!("{g}/databaseUsers/%24external/certs"))
                .0
                .id,
            "databaseUserCertificates_group"
        );
        assert_eq!(
            classify(&format!("{g}/databaseUsers")).0.id,
            "databaseUsers_group"
        );
        assert_eq!(
            classify(&format!("{g}/databaseUsers/admin/bob")).0.id,
            "databaseUsers_group"
        );
        assert_eq!(
            classify(&format!("{g}/userSecurity/customerX509")).0.id,
            "userSecurity_group"
        );
        assert_eq!(
            classify("/api/atlas/v2/rateLimits").0.id,
            "rateLimitsInspection_user"
        );
    }

    #[test]
    fn a_bucket_empties_refills_and_says_when() {
        let mut b = Buckets::new(Some(RateLimit {
            limit: 2,
            window: Duration::from_secs(10),
        }));
        let t0 = Instant::now();
        let path = "/api/atlas/v2/groups/6500000000000000000000aa/userSecurity";
        assert!(matches!(
            b.draw(path, t0),
            Draw::Ok {
                limit: 2,
                remaining: 1
            }
        ));
        assert!(matches!(b.draw(path, t0), Draw::Ok { remaining: 0, .. }));
        let Draw::Empty {
            error, retry_after, ..
        } = b.draw(path, t0 + Duration::from_millis(2_500))
        else {
            panic!("empty")
        };
        assert_eq!(retry_after, 8);
        assert_eq!(error.code, "RATE_LIMITED_TOKEN_BUCKET");
        // Another project's bucket is its own.
        let other = "/api/atlas/v2/groups/6500000000000000000000bb/userSecurity";
        assert!(matches!(b.draw(other, t0), Draw::Ok { .. }));
        // Ten seconds on: refilled by two, never past the capacity.
        assert!(matches!(
            b.draw(path, t0 + Duration::from_secs(35)),
            Draw::Ok { remaining: 1, .. }
        ));
    }
}
