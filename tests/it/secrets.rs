//! A whole scripted session with trace logging: listing, issuing (to a file
//! and to stdout), refused and failing calls, with an API key and with a
//! service account. No API private key, client secret, bearer token or
//! private-key block may reach the log, stderr, or stdout (but for the PEM
//! the user asked to have on stdout).

use crate::common;

use common::bin::{Home, Out};
use common::{ORDERS, PAYMENTS, count};

fn session(home: &Home, env: &[(&str, &str)]) -> Vec<(String, Out)> {
    let pem_file = home.path().join("alice.pem");
    let pem_file = pem_file.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["projects"],
        vec!["users", "--project", ORDERS, "--json"],
        vec!["certs", "--project", ORDERS, "--user", "alice", "--all"],
        vec!["security", "--project", PAYMENTS],
        vec![
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "2",
            "--out",
            pem_file,
        ],
        vec![
            "issue",
            "--project",
            ORDERS,
            "--user",
            "alice",
            "--months",
            "1",
            "--out",
            "-",
        ],
        // Refused: not an X.509 user, a customer-CA project, no such project.
        vec![
            "issue",
            "--project",
            ORDERS,
            "--user",
            "admin",
            "--months",
            "1",
            "--out",
            "x.pem",
        ],
        vec![
            "issue",
            "--project",
            PAYMENTS,
            "--user",
            "alice",
            "--months",
            "1",
            "--out",
            "y.pem",
        ],
        vec!["users", "--project", "ffffffffffffffffffffffff"],
        vec!["expiring", "--project", ORDERS, "--within", "400d"],
    ];
    runs.into_iter()
        .map(|args| (args.join(" "), home.run(env, &args)))
        .collect()
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for s in secrets {
        assert!(
            !text.contains(s.as_str()),
            "{what} holds a secret ({s:.6}…)"
        );
    }
    for marker in ["PRIVATE KEY", "Bearer ", "Digest username", "Authorization"] {
        assert!(!text.contains(marker), "{what} holds {marker:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_a_log_or_a_terminal() {
    let h = common::sim().await;
    let c = &h.credentials;
    let api_key = [
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url()),
        ("MONGODB_ATLAS_PUBLIC_API_KEY", c.public_key.as_str()),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", c.private_key.as_str()),
        ("ATLAS_X509_LOG", "trace"),
    ];
    let service_account = [
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url()),
        ("MONGODB_ATLAS_CLIENT_ID", c.client_id.as_str()),
        ("MONGODB_ATLAS_CLIENT_SECRET", c.client_secret.as_str()),
        ("ATLAS_X509_LOG", "trace"),
    ];
    let wrong = [
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url()),
        ("MONGODB_ATLAS_PUBLIC_API_KEY", c.public_key.as_str()),
        ("MONGODB_ATLAS_PRIVATE_API_KEY", "wrong-0f1e2d3c-secret"),
        ("ATLAS_X509_LOG", "trace"),
    ];
    let user_account = [
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url()),
        ("MONGODB_ATLAS_ACCESS_TOKEN", c.access_token.as_str()),
        ("ATLAS_X509_LOG", "trace"),
    ];
    let expired_token = h.user_access_token(-60);
    let expired = [
        ("MONGODB_ATLAS_OPS_MANAGER_URL", h.base_url()),
        ("MONGODB_ATLAS_ACCESS_TOKEN", expired_token.as_str()),
        ("ATLAS_X509_LOG", "trace"),
    ];
    let mut secrets = vec![
        c.private_key.clone(),
        c.client_secret.clone(),
        "wrong-0f1e2d3c-secret".to_string(),
        c.access_token.clone(),
        c.refresh_token.clone(),
        expired_token.clone(),
    ];
    let mut checked = 0;
    for env in [
        &api_key[..],
        &service_account[..],
        &wrong[..],
        &user_account[..],
        &expired[..],
    ] {
        let home = Home::new();
        let runs = session(&home, env);
        secrets.extend(h.live_tokens());
        if env[1].0.contains("CLIENT") {
            assert!(
                count(&h, "POST", "/api/oauth/token") >= 1,
                "the service account fetched a token whose leaks are looked for"
            );
        }
        let dead = env[1].1 == expired_token;
        let wrong_key = env.len() > 2 && env[2].1.starts_with("wrong");
        // What is scanned for leaks is what really ran: with good
        // credentials every listing and issue succeeded, and the three
        // refusals were refused (a command that fails early would make
        // "nothing leaked" cheap).
        if !dead && !wrong_key {
            for (i, (args, o)) in runs.iter().enumerate() {
                if (6..=8).contains(&i) {
                    assert_ne!(o.code, 0, "{args} is refused: {}", o.err());
                } else {
                    assert_eq!(o.code, 0, "{args}: {}", o.err());
                }
            }
            assert!(
                home.path().join("alice.pem").exists(),
                "the PEM was written"
            );
        }
        for (args, o) in &runs {
            o.assert_no_panic();
            assert_clean(&format!("stderr of {args}"), &o.err(), &secrets);
            if !args.ends_with("--out -") {
                assert_clean(&format!("stdout of {args}"), &o.out(), &secrets);
            } else if !dead && !wrong_key {
                assert!(o.out().contains("PRIVATE KEY"), "the PEM asked for arrives");
                // Around the PEM asked for, nothing secret.
                let around: String = o
                    .out()
                    .lines()
                    .scan(false, |inside, l| {
                        let was = *inside || l.starts_with("-----BEGIN");
                        *inside = was && !l.starts_with("-----END");
                        Some((was, l.to_string()))
                    })
                    .filter(|(inside, _)| !inside)
                    .map(|(_, l)| l + "\n")
                    .collect();
                assert_clean(
                    &format!("stdout around the PEM of {args}"),
                    &around,
                    &secrets,
                );
            }
            checked += 1;
        }
        let log = home.log();
        assert!(
            dead || log.len() > 1_000,
            "trace logging ran: {} bytes",
            log.len()
        );
        assert_clean("the trace log", &log, &secrets);
        if !dead {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(home.path().join("state/atlas-x509/atlas-x509.log"));
            assert_eq!(
                meta.unwrap().permissions().mode() & 0o777,
                0o600,
                "the log is the user's alone"
            );
        }
        if wrong_key {
            assert!(
                runs.iter().all(|(_, o)| o.code == 3),
                "a wrong key is exit 3"
            );
        }
        if dead {
            assert!(
                runs.iter()
                    .all(|(_, o)| o.code == 3 && o.err().contains("expired at")),
                "an expired token is exit 3, said so"
            );
        }
    }
    assert_eq!(checked, 50);
}
