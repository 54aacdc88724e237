//! The client against the simulator over real loopback HTTP.

use crate::common;

use std::time::{Duration, Instant};

use atlas_client::{
    Client, Credentials, Error, Limits, PageRequest, TransportKind, X509Type, fetch_all,
};
use atlas_sim::RateLimit;
use common::*;
use x509_parser::prelude::*;

#[tokio::test]
async fn digest_auth_reuses_the_nonce() {
    let h = sim().await;
    let c = digest_client(&h);
    for _ in 0..5 {
        let page = c.list_projects(PageRequest::default()).await.unwrap();
        assert_eq!(page.results.len(), 4);
    }
    let log = h.requests();
    assert_eq!(
        log.len(),
        6,
        "one challenge, then five authenticated calls: {log:#?}"
    );
    assert_eq!(log[0].status, 401);
    assert!(log[1..].iter().all(|r| r.status == 200 && r.authenticated));
    let rl = c.rate_limit().unwrap();
    assert_eq!(rl.limit, 1200);
    assert!(rl.remaining < 1200);
}

#[tokio::test]
async fn stale_nonce_is_renegotiated() {
    let h = sim().await;
    let c = digest_client(&h);
    c.list_projects(PageRequest::default()).await.unwrap();
    h.forget_nonces(Duration::from_secs(300));
    c.list_projects(PageRequest::default()).await.unwrap();
    let statuses: Vec<u16> = h.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 200, 401, 200]);
}

#[tokio::test]
async fn wrong_private_key_is_refused_without_leaking_it() {
    let h = sim().await;
    let creds = Credentials::api_key(&h.credentials.public_key, "not-the-key-0123");
    let c = Client::new(client_config(&h, creds)).unwrap();
    let err = c.list_projects(PageRequest::default()).await.unwrap_err();
    let api = err.api().expect("Atlas's 401 body");
    assert_eq!(api.error, 401);
    assert_eq!(api.error_code, "UNEXPECTED_ERROR");
    assert_eq!(
        api.detail.as_deref(),
        Some("You are not authorized for this resource.")
    );
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("not-the-key-0123"), "{shown}");
    assert_eq!(
        h.requests().len(),
        2,
        "challenge + one authenticated attempt"
    );
}

#[tokio::test]
async fn service_account_token_is_cached() {
    let h = sim().await;
    let c = bearer_client(&h);
    for _ in 0..3 {
        c.list_projects(PageRequest::default()).await.unwrap();
    }
    assert_eq!(count(&h, "POST", "/api/oauth/token"), 1);
    assert_eq!(count(&h, "GET", "/groups"), 3);
}

#[tokio::test]
async fn bearer_is_refreshed_once_after_a_401() {
    let h = sim().await;
    let c = bearer_client(&h);
    c.list_projects(PageRequest::default()).await.unwrap();
    h.revoke_tokens();
    c.list_projects(PageRequest::default()).await.unwrap();
    assert_eq!(count(&h, "POST", "/api/oauth/token"), 2);
    let groups: Vec<u16> = h
        .requests()
        .iter()
        .filter(|r| r.target.contains("/groups"))
        .map(|r| r.status)
        .collect();
    assert_eq!(groups, [200, 401, 200]);
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_before_they_expire() {
    // A 20 s token: past its half-life at 10 s, alive until 20 s, so a
    // slow machine has 10 s of slack on either side of the second call.
    let h = sim_with(|c| c.token_ttl = Duration::from_secs(20)).await;
    let c = bearer_client(&h);
    c.list_projects(PageRequest::default()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(10_500)).await;
    c.list_projects(PageRequest::default()).await.unwrap();
    assert_eq!(
        count(&h, "POST", "/api/oauth/token"),
        2,
        "refreshed at half-life"
    );
    assert!(h.requests().iter().all(|r| r.status == 200));
}

#[tokio::test]
async fn wrong_client_secret_is_an_auth_error() {
    let h = sim().await;
    let creds = Credentials::service_account(&h.credentials.client_id, "mdb_sa_sk_wrongwrongwrong");
    let c = Client::new(client_config(&h, creds)).unwrap();
    let err = c.list_projects(PageRequest::default()).await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("invalid_client"), "{err}");
    assert!(!format!("{err:?}").contains("wrongwrongwrong"));
}

#[tokio::test]
async fn the_whole_list_for_sorting_is_read_in_three_pages_and_bounded() {
    let h = sim().await;
    let c = digest_client(&h);
    let all = c
        .all_certs_up_to(ORDERS, "load-tester", 10_000, 4)
        .await
        .unwrap();
    assert_eq!(all.len(), 1201);
    assert_eq!(
        count_served(&h, "GET", "itemsPerPage=500"),
        3,
        "three pages of 500, each once"
    );
    let e = c
        .all_certs_up_to(ORDERS, "load-tester", 1_000, 4)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("1,000") || e.to_string().contains("1000"),
        "{e}"
    );
}

#[tokio::test]
async fn pages_through_1201_certs_at_500_per_page() {
    let h = sim().await;
    let c = digest_client(&h);
    let first = c
        .list_certs(ORDERS, "load-tester", PageRequest::first(500))
        .await
        .unwrap();
    assert_eq!(first.known_total(), Some(1201));
    assert!(first.link("next").is_some());
    let all = c.all_certs(ORDERS, "load-tester", 500, 3).await.unwrap();
    assert_eq!(all.len(), 1201);
    assert!(
        all.windows(2).all(|w| w[0].created_at <= w[1].created_at),
        "oldest first"
    );
    let mut serials: Vec<u64> = all.iter().map(|c| c.id).collect();
    serials.sort_unstable();
    serials.dedup();
    assert_eq!(serials.len(), 1201);
    for page in 1..=3 {
        assert_eq!(
            count_served(&h, "GET", &format!("pageNum={page}&itemsPerPage=500")),
            1 + usize::from(page == 1)
        );
    }
    let last = c
        .list_certs(ORDERS, "load-tester", PageRequest::new(3, 500))
        .await
        .unwrap();
    assert_eq!(last.results.len(), 201);
    assert!(last.link("next").is_none());
    assert!(last.link("previous").is_some());
}

#[tokio::test]
async fn uncounted_pages_are_walked_to_the_short_one() {
    let h = sim().await;
    let c = digest_client(&h);
    let uncounted = |p: PageRequest| {
        let c = c.clone();
        async move {
            c.list_certs(
                ORDERS,
                "load-tester",
                PageRequest {
                    include_count: false,
                    ..p
                },
            )
            .await
        }
    };
    let page = uncounted(PageRequest::first(500)).await.unwrap();
    assert_eq!(page.total_count, Some(0), "Atlas's quirk");
    assert_eq!(page.known_total(), None);
    assert!(page.link("next").is_none());
    let all = fetch_all(500, 3, Limits::default(), uncounted)
        .await
        .unwrap();
    assert_eq!(all.len(), 1201);
    let beyond = c
        .list_certs(ORDERS, "load-tester", PageRequest::new(99, 500))
        .await
        .unwrap();
    assert!(beyond.results.is_empty());
}

fn parse_issued(pem: &str) -> (Vec<u8>, String) {
    let cert_end = pem.find("-----END CERTIFICATE-----").unwrap() + 25;
    let (_, p) = x509_parser::pem::parse_x509_pem(&pem.as_bytes()[..cert_end]).unwrap();
    (p.contents, pem[cert_end..].to_string())
}

#[tokio::test]
async fn issue_then_list_round_trip() {
    let h = sim().await;
    let c = digest_client(&h);
    let before = c.all_certs(ORDERS, "alice", 100, 2).await.unwrap();
    let issued = c.create_cert(ORDERS, "alice", 6).await.unwrap();
    assert!(issued.has_private_key());
    let (der, rest) = parse_issued(issued.expose());
    assert!(
        rest.trim_start().starts_with("-----BEGIN PRIVATE KEY-----"),
        "PKCS#8 key follows the certificate"
    );
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(cert.subject().to_string(), "CN=alice");
    let issuer = cert.issuer().to_string();
    assert!(issuer.ends_with(", OU=Atlas, O=MongoDB Inc"), "{issuer}");
    let cn = cert
        .issuer()
        .iter_common_name()
        .next()
        .unwrap()
        .as_str()
        .unwrap();
    assert!(
        cn.len() == 24 && cn.bytes().all(|b| b.is_ascii_hexdigit()),
        "{cn}"
    );
    let ku = cert.key_usage().unwrap().unwrap();
    assert!(ku.critical && ku.value.digital_signature());
    let eku = cert.extended_key_usage().unwrap().unwrap();
    assert!(eku.critical && eku.value.client_auth && !eku.value.server_auth);

    let after = c.all_certs(ORDERS, "alice", 100, 2).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let listed = after.last().unwrap();
    let serial = cert.tbs_certificate.raw_serial();
    assert_eq!(
        u64::from_be_bytes({
            let mut b = [0u8; 8];
            let s = serial.strip_prefix(&[0][..]).unwrap_or(serial);
            b[8 - s.len()..].copy_from_slice(s);
            b
        }),
        listed.id,
        "the list's _id is the serial"
    );
    assert_eq!(
        cert.validity().not_before.timestamp(),
        listed.created_at.as_second()
    );
    assert_eq!(
        cert.validity().not_after.timestamp(),
        listed.not_after.as_second()
    );
    let span = listed.not_after.as_second() - listed.created_at.as_second();
    assert!(
        (180 * 86_400..=185 * 86_400).contains(&span),
        "about six months: {span}"
    );
    assert_eq!(listed.subject, "CN=alice");
}

#[tokio::test]
async fn issues_rsa_4096_like_atlas() {
    let h = sim_with(|c| c.key_type = atlas_sim::KeyType::Rsa).await;
    let c = digest_client(&h);
    let issued = c.create_cert(SANDBOX, "dev", 1).await.unwrap();
    let (der, _) = parse_issued(issued.expose());
    let (_, cert) = X509Certificate::from_der(&der).unwrap();
    assert_eq!(
        cert.signature_algorithm.algorithm,
        x509_parser::oid_registry::OID_PKCS1_SHA256WITHRSA
    );
    match cert.public_key().parsed().unwrap() {
        x509_parser::public_key::PublicKey::RSA(rsa) => assert_eq!(rsa.key_size(), 4096),
        other => panic!("not RSA: {other:?}"),
    }
}

#[tokio::test]
async fn odd_usernames_reach_the_right_user() {
    let h = sim().await;
    let c = digest_client(&h);
    let users = c.all_users(PAYMENTS, 100, 2).await.unwrap();
    let dn = users
        .iter()
        .find(|u| u.username == "CN=app,OU=ops,O=acme")
        .unwrap();
    assert_eq!(dn.x509_type, X509Type::Customer);
    assert_eq!(dn.database_name, "$external");
    let page = c
        .list_certs(PAYMENTS, "CN=app,OU=ops,O=acme", PageRequest::default())
        .await
        .unwrap();
    assert!(page.results.is_empty());
    assert_eq!(
        count(&h, "GET", "/databaseUsers/CN=app%2COU=ops%2CO=acme/certs"),
        1
    );
    let slash = c
        .list_certs(
            ORDERS,
            "d0123456789abcdef012345d/analysts",
            PageRequest::default(),
        )
        .await;
    assert!(
        slash.unwrap().results.is_empty(),
        "a / in a name stays inside its segment"
    );
    let dot = c
        .list_certs(ORDERS, "svc.orders", PageRequest::default())
        .await
        .unwrap();
    assert_eq!(dot.results.len(), 1);
    let err = c
        .create_cert(PAYMENTS, "CN=app,OU=ops,O=acme", 3)
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some("USER_NOT_MANAGED_X509"));
}

#[tokio::test]
async fn atlas_errors_come_back_with_code_and_detail() {
    let h = sim().await;
    let c = digest_client(&h);
    let err = c
        .list_users("111111111111111111111111", PageRequest::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GROUP_NOT_FOUND (404): No group with ID 111111111111111111111111 exists."
    );
    let err = c
        .list_certs(ORDERS, "ghost", PageRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some("USERNAME_NOT_FOUND"));
    let err = c.create_cert(PAYMENTS, "billing-svc", 3).await.unwrap_err();
    assert_eq!(
        err.error_code(),
        Some("CANNOT_GENERATE_CERT_IF_ADVANCED_X509")
    );
    let err = c.create_cert(ORDERS, "admin", 3).await.unwrap_err();
    assert_eq!(err.error_code(), Some("USER_NOT_MANAGED_X509"));
    assert_eq!(err.status(), Some(400));
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let h = sim().await;
    let c = digest_client(&h);
    for months in [0, 25, -1] {
        let err = c.create_cert(ORDERS, "alice", months).await.unwrap_err();
        assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    }
    assert!(matches!(
        c.list_users("not-a-group", PageRequest::default()).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        c.list_certs(ORDERS, "..", PageRequest::default()).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        c.list_projects(PageRequest::new(1, 501)).await,
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        c.list_projects(PageRequest::new(0, 5)).await,
        Err(Error::Invalid(_))
    ));
    assert!(h.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn disabling_customer_x509_clears_the_ca() {
    let h = sim().await;
    let c = digest_client(&h);
    let before = c.get_user_security(PAYMENTS).await.unwrap();
    assert!(before.customer_x509.is_configured());
    assert_eq!(before.customer_x509.ca_count(), 2);
    assert!(before.ldap.is_some());
    let after = c.disable_customer_x509(PAYMENTS).await.unwrap();
    assert!(!after.customer_x509.is_configured());
    assert_eq!(count(&h, "DELETE", "/userSecurity/customerX509"), 1);
    assert!(
        h.requests()
            .iter()
            .any(|r| r.method == "DELETE" && r.status == 202)
    );
    assert!(
        !c.get_user_security(PAYMENTS)
            .await
            .unwrap()
            .customer_x509
            .is_configured()
    );
    c.create_cert(PAYMENTS, "billing-svc", 2)
        .await
        .expect("managed certs allowed again");
    let none = c.get_user_security(ORDERS).await.unwrap();
    assert_eq!(none.customer_x509.ca_count(), 0);
}

#[tokio::test]
async fn retry_after_is_honoured_for_gets() {
    let h = sim_with(|c| {
        c.rate_limit = Some(RateLimit {
            limit: 2,
            window: Duration::from_secs(2),
        })
    })
    .await;
    let c = bearer_client(&h);
    let started = Instant::now();
    for _ in 0..3 {
        c.list_projects(PageRequest::default()).await.unwrap();
    }
    let statuses: Vec<u16> = h
        .requests()
        .iter()
        .filter(|r| r.target.contains("/groups"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [200, 200, 429, 200]);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for the window: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_long_retry_after_is_reported_not_waited() {
    let h = sim_with(|c| {
        c.rate_limit = Some(RateLimit {
            limit: 1,
            window: Duration::from_secs(600),
        })
    })
    .await;
    let mut cfg = client_config(&h, service_account(&h));
    cfg.max_retry_wait = Duration::from_secs(5);
    let c = Client::new(cfg).unwrap();
    c.list_projects(PageRequest::default()).await.unwrap();
    let err = c.list_projects(PageRequest::default()).await.unwrap_err();
    // Reported, not waited: the refused request is not sent again.
    let statuses: Vec<u16> = h
        .requests()
        .iter()
        .filter(|r| r.target.starts_with("/api/atlas/v2/groups"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [200, 429]);
    assert_eq!(err.error_code(), Some("RATE_LIMITED_TOKEN_BUCKET"));
    let Error::Api { api, retry_after } = &err else {
        panic!()
    };
    assert!(retry_after.unwrap() > Duration::from_secs(500));
    assert_eq!(
        api.parameters.len(),
        5,
        "path, wait, capacity, refill rate, period"
    );
    assert!(
        api.detail
            .as_deref()
            .unwrap()
            .contains("Request capacity: 1. Refill rate: 1 per 600 seconds."),
        "{:?}",
        api.detail
    );
    assert!(
        err.explained().contains("Atlas asks to wait"),
        "{}",
        err.explained()
    );
}

#[tokio::test]
async fn post_is_never_retried() {
    let h = sim_with(|c| c.fail_rate = 1.0).await;
    let c = bearer_client(&h);
    let err = c.create_cert(ORDERS, "alice", 3).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.error_code(), Some("UNEXPECTED_ERROR"));
    assert_eq!(count(&h, "POST", "/certs"), 1);
    // A GET under the same faults is retried, within bounds.
    let err = c.list_projects(PageRequest::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        count(&h, "GET", "/groups"),
        4,
        "first try plus three retries"
    );
}

#[tokio::test]
async fn rate_limited_post_is_not_retried() {
    let h = sim_with(|c| {
        c.rate_limit = Some(RateLimit {
            limit: 1,
            window: Duration::from_secs(1),
        })
    })
    .await;
    let c = bearer_client(&h);
    // The project's certificate bucket holds one token: the first creation
    // takes it, the second is refused, and not sent again.
    c.create_cert(ORDERS, "alice", 3).await.unwrap();
    let err = c.create_cert(ORDERS, "alice", 3).await.unwrap_err();
    assert_eq!(err.error_code(), Some("RATE_LIMITED_TOKEN_BUCKET"));
    assert_eq!(count(&h, "POST", "/certs"), 2);
}

#[tokio::test]
async fn timeouts_are_transport_errors() {
    let h = sim_with(|c| c.latency = Duration::from_millis(1500)).await;
    let mut cfg = client_config(&h, api_key(&h));
    cfg.timeout = Duration::from_millis(300);
    cfg.max_retries = 0;
    let c = Client::new(cfg).unwrap();
    let err = c.list_projects(PageRequest::default()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_dropped_server_is_a_connect_error() {
    let h = sim().await;
    let c = digest_client(&h);
    c.list_projects(PageRequest::default()).await.unwrap();
    h.stop().await;
    let err = c.list_projects(PageRequest::default()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let err = c.create_cert(ORDERS, "alice", 3).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn parallel_digest_requests_survive_a_strict_nonce_count() {
    let h = sim_with(|c| c.strict_nonce_count = true).await;
    let c = digest_client(&h);
    for round in 0..3 {
        let all = c
            .all_certs(ORDERS, "load-tester", 100, 4)
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(all.len(), 1201);
    }
    let log = h.requests();
    let challenges = log.iter().filter(|r| r.status == 401).count();
    let served = log.iter().filter(|r| r.authenticated).count();
    assert_eq!(served, 3 * 13, "every page served once");
    // One challenge per nonce in flight at once (at most 4), not one per
    // request, plus the refusal that showed the server strict.
    assert!(challenges <= 5, "{challenges} challenges");
    // Sequential calls still reuse one nonce: N calls, N requests.
    let before = h.requests().len();
    for _ in 0..10 {
        c.list_projects(PageRequest::default()).await.unwrap();
    }
    assert_eq!(h.requests().len() - before, 10);
}

#[tokio::test]
async fn parallel_digest_requests_share_one_nonce_where_atlas_allows_it() {
    let h = sim().await;
    let c = digest_client(&h);
    for _ in 0..3 {
        let all = c.all_certs(ORDERS, "load-tester", 100, 8).await.unwrap();
        assert_eq!(all.len(), 1201);
    }
    let log = h.requests();
    let challenges = log.iter().filter(|r| r.status == 401).count();
    let served = log.iter().filter(|r| r.authenticated).count();
    assert_eq!(served, 3 * 13, "every page served once");
    // Not one per request in flight: the first round of eight would have
    // cost seven more round trips.
    assert_eq!(challenges, 1, "one challenge in all");
}

#[tokio::test]
async fn a_rate_limited_listing_waits_for_its_bucket_and_completes() {
    let h = sim_with(|c| {
        c.rate_limit = Some(RateLimit {
            limit: 5,
            window: Duration::from_secs(1),
        })
    })
    .await;
    let c = bearer_client(&h);
    let started = Instant::now();
    let all = c.all_certs(ORDERS, "load-tester", 100, 8).await.unwrap();
    assert_eq!(all.len(), 1201);
    let served = h
        .requests()
        .iter()
        .filter(|r| r.status == 200 && r.target.contains("/certs"))
        .count();
    assert_eq!(served, 13, "each page once");
    // 13 pages from a bucket of 5 refilled by 5 a second: two refills.
    assert!(
        started.elapsed() >= Duration::from_millis(1_500),
        "{:?}",
        started.elapsed()
    );
    // Once the bucket is known to be empty, one probe per refill finds
    // out when it is not: a 429 per refill, not one per page.
    let throttled = h.requests().iter().filter(|r| r.status == 429).count();
    assert!(
        (1..=3).contains(&throttled),
        "{throttled} 429s for 13 pages"
    );
}

/// An organisation of `projects` projects with `users` MANAGED users of one
/// certificate each; the last project has a customer CA.
fn org_seed(projects: usize, users: usize) -> atlas_sim::seed::Seed {
    let default: serde_json::Value = serde_json::from_str(atlas_sim::seed::DEFAULT_SEED).unwrap();
    let cas = default["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| p["userSecurity"]["customerX509Cas"].as_str())
        .unwrap()
        .to_string();
    let projects: Vec<serde_json::Value> = (0..projects)
        .map(|p| {
            let mut v = serde_json::json!({
                "id": format!("66{p:022x}"),
                "name": format!("team-{p:03}"),
                "created": "2025-01-01T00:00:00Z",
                "users": (0..users).map(|u| serde_json::json!({
                    "username": format!("svc-{p}-{u}"),
                    "x509Type": "MANAGED",
                    "certs": [{"ageDays": 10 + u, "months": 3}],
                })).collect::<Vec<_>>(),
            });
            if p + 1 == projects {
                v["userSecurity"] = serde_json::json!({ "customerX509Cas": cas });
            }
            v
        })
        .collect();
    atlas_sim::seed::Seed::from_json(
        &serde_json::json!({"orgId": "a0123456789abcdef012345a", "projects": projects}).to_string(),
    )
    .unwrap()
}

/// The fleet scan against tight buckets (5 tokens, 5 more a second, per
/// project and kind): it ends, every MANAGED user is there, the
/// customer-CA project is skipped, and the 429s are the probes that find
/// each bucket's refill, not one per request.
#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_scan_under_tight_buckets_misses_nothing() {
    use atlas_client::fleet::{self, Event};
    const PROJECTS: usize = 12;
    const USERS: usize = 12;
    let h = sim_with(|c| {
        c.seed = org_seed(PROJECTS, USERS);
        c.rate_limit = Some(RateLimit {
            limit: 5,
            window: Duration::from_secs(1),
        });
    })
    .await;
    let c = bearer_client(&h);
    let mut scan = fleet::start(&c, fleet::Scope::All, 20, usize::MAX);
    let mut users = std::collections::BTreeSet::new();
    let mut skipped = vec![];
    while let Some(e) = tokio::time::timeout(Duration::from_secs(60), scan.next())
        .await
        .expect("the scan ends")
    {
        match e {
            Event::User {
                username, certs, ..
            } => {
                assert_eq!(certs.unwrap().len(), 1, "{username}");
                assert!(users.insert(username));
            }
            Event::Skipped { name, .. } => skipped.push(name),
            Event::Failed { error, .. } => panic!("{}", error.explained()),
            _ => {}
        }
    }
    assert_eq!(users.len(), (PROJECTS - 1) * USERS, "nothing missing");
    assert_eq!(skipped, [format!("team-{:03}", PROJECTS - 1)]);
    let throttled = h.requests().iter().filter(|r| r.status == 429).count();
    let served = h.requests().iter().filter(|r| r.status == 200).count();
    // Per project's certificate bucket: 12 lists from 5 tokens and 5 a
    // second is two refills, found by a failed probe each (three, when a
    // refill lands just after a probe). Before a kind of bucket first
    // answers, each bucket of it gets one request, so no first burst
    // overruns one; a few 429s of slack for buckets met at a refill.
    let bound = (PROJECTS - 1) * 3 + 5;
    eprintln!("{throttled} 429s, {served} answers, bound {bound}");
    assert!(
        throttled <= bound,
        "{throttled} 429s for {served} answers (at most {bound})"
    );
    assert!(throttled >= 1, "the buckets were tight enough to matter");
}

/// The scan reads no more users than its budget, and says how many it left.
#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_scan_stops_at_its_user_budget_and_says_so() {
    use atlas_client::fleet::{self, Event};
    let h = sim_with(|c| c.seed = org_seed(4, 3)).await;
    let c = bearer_client(&h);
    let mut scan = fleet::start(&c, fleet::Scope::All, 4, 5);
    let (mut listed, mut over, mut read) = (0, 0, 0);
    while let Some(e) = scan.next().await {
        match e {
            Event::Project { users, over: o, .. } => {
                listed += users.len();
                over += o;
            }
            Event::User { .. } => read += 1,
            _ => {}
        }
    }
    assert_eq!((listed, read), (5, 5), "five users read");
    assert_eq!(
        over,
        3 * 3 - 5,
        "the rest said (the fourth project has a customer CA)"
    );
    assert_eq!(count_served(&h, "GET", "/certs"), 5);
}
