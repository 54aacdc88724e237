//! Properties over generated input: names that must survive a URL path,
//! months that must stay in range, and decoders and renderers that must
//! never panic, whatever bytes or numbers a server sends.

use crate::common;

use atlas_client::{
    ApiError, DatabaseUser, Page, PageRequest, Project, UserCert, encode_path_segment,
    validate_months, validate_username,
};
use atlas_client::{inspect, sanitize};
use atlas_x509::app::{Modal, Msg, Pane, update};
use common::fixtures::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Usernames Atlas allows, weighted towards the characters that break paths.
fn username() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        "/",
        "%",
        "?",
        "#",
        ",",
        "=",
        " ",
        "+",
        "&",
        ";",
        "..",
        "%2F",
        "é",
        "名",
        "\u{1F512}",
        "CN=",
        "OU=",
        "\\",
        "'",
        "\"",
        "[",
        "]",
        "@",
        ":",
    ]);
    let piece = prop_oneof![
        3 => "[a-zA-Z0-9._-]{1,6}",
        3 => tricky.prop_map(str::to_string),
        1 => "\\PC{1,4}",
    ];
    prop::collection::vec(piece, 1..8)
        .prop_map(|v| v.concat())
        .prop_filter("addressable in a URL path", |s| {
            validate_username(s).is_ok()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn a_path_segment_decodes_back_to_the_name(name in username()) {
        let enc = encode_path_segment(&name);
        prop_assert!(!enc.contains('/') && !enc.contains('?') && !enc.contains('#'));
        let back = percent_encoding::percent_decode_str(&enc).decode_utf8().unwrap();
        prop_assert_eq!(back, name);
    }

    #[test]
    fn months_outside_1_to_24_are_refused(n in any::<i64>()) {
        prop_assert_eq!(validate_months(n).is_ok(), (1..=24).contains(&n));
    }

    #[test]
    fn any_keys_keep_the_months_slider_in_range(keys in prop::collection::vec(
        prop_oneof![
            "[0-9]".prop_map(|s| KeyCode::Char(s.chars().next().unwrap())),
            Just(KeyCode::Left), Just(KeyCode::Right), Just(KeyCode::Home),
            Just(KeyCode::End), Just(KeyCode::Char('h')), Just(KeyCode::Char('l')),
            Just(KeyCode::Char('+')), Just(KeyCode::Char('-')),
        ], 0..40)) {
        let mut s = loaded(3);
        s.focus = Pane::Users;
        update(&mut s, ch('i'));
        for k in keys {
            update(&mut s, Msg::Key(KeyEvent::new(k, KeyModifiers::NONE)));
            let Some(Modal::Issue(m)) = &s.modal else { panic!("the dialog stays open") };
            prop_assert!((1..=24).contains(&m.months), "{}", m.months);
        }
    }

    #[test]
    fn the_sanitiser_leaves_nothing_a_terminal_obeys(s in "\\PC*|[\\x00-\\x7f\\u{80}-\\u{9f}\\u{202a}-\\u{202e}]*", max in 0usize..300) {
        let out = sanitize::line(&s, max);
        prop_assert!(!out.chars().any(sanitize::is_unsafe));
        prop_assert!(out.chars().count() <= max * 10 + 1);
        let kept = sanitize::lines(&s, max);
        prop_assert!(!kept.chars().any(|c| c != '\n' && sanitize::is_unsafe(c)));
    }

    #[test]
    fn decoders_take_any_bytes_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = serde_json::from_slice::<ApiError>(&bytes);
        let _ = serde_json::from_slice::<Page<UserCert>>(&bytes);
        let _ = serde_json::from_slice::<Page<DatabaseUser>>(&bytes);
        let _ = serde_json::from_slice::<Page<Project>>(&bytes);
        let text = String::from_utf8_lossy(&bytes);
        let issued = atlas_client::IssuedPem::new(format!(
            "-----BEGIN CERTIFICATE-----\n{text}\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n{text}\n-----END PRIVATE KEY-----\n"
        ));
        let _ = inspect::inspect(&issued);
        let _ = inspect::verify(&issued);
        let _ = atlas_x509::cli::parse_window(&text);
    }

    #[test]
    fn any_json_values_in_a_page_decode_or_fail_cleanly(
        id in json_value(), created in json_value(), not_after in json_value(),
        subject in json_value(), total in json_value(),
    ) {
        let serial_ok = id.is_u64();
        let page = json!({"results": [{"_id": id, "createdAt": created, "notAfter": not_after,
            "subject": subject}], "totalCount": total});
        let decoded = serde_json::from_value::<Page<UserCert>>(page);
        // A serial is a whole number from 0 to 2^64-1, never anything else.
        if !serial_ok {
            prop_assert!(decoded.is_err(), "a serial that is no u64 was taken");
        }
        if let Ok(p) = decoded {
            let now = jiff::Timestamp::now();
            for c in &p.results {
                let _ = atlas_x509::ui::time_left(now, c.not_after);
                let _ = atlas_x509::ui::time_left(c.created_at, now);
            }
            let _ = p.known_total();
        }
    }
}

proptest! {
    /// The other side of the rule above: what Atlas sends is always taken,
    /// whatever the numbers, and its times shown.
    #[test]
    fn a_well_formed_page_always_decodes(id in any::<u64>(), days in -3_000i64..3_000, total in any::<u32>()) {
        let at = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * days);
        let page = json!({"results": [{"_id": id, "createdAt": "2026-01-01T00:00:00Z",
            "notAfter": at.to_string(), "subject": "CN=x"}], "totalCount": total});
        let p = serde_json::from_value::<Page<UserCert>>(page);
        prop_assert!(p.is_ok(), "{:?}", p.err());
        let p = p.unwrap();
        prop_assert_eq!(p.results[0].id, id);
        let (left, _) = atlas_x509::ui::time_left(jiff::Timestamp::now(), p.results[0].not_after);
        prop_assert!(!left.is_empty());
    }
}

/// JSON values with the edges a server could send: huge and negative
/// numbers, floats, far dates, wrong types.
fn json_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        Just(Value::Null),
        Just(json!("9999-12-31T23:59:59Z")),
        Just(json!("-009999-01-01T00:00:00Z")),
        Just(json!("2026-02-30T00:00:00Z")),
        Just(json!("1970-01-01T00:00:00Z")),
        "\\PC{0,30}".prop_map(Value::from),
        Just(json!([1, 2])),
        Just(json!({"a": 1})),
    ]
}

#[test]
fn usernames_round_trip_through_client_and_simulator() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let h = rt.block_on(common::sim());
    let client = common::digest_client(&h);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
    runner
        .run(&username(), |name| {
            h.add_managed_user(common::ORDERS, &name).unwrap();
            let page = rt
                .block_on(client.list_certs(common::ORDERS, &name, PageRequest::default()))
                .map_err(|e| TestCaseError::fail(format!("{name:?}: {e}")))?;
            prop_assert!(page.results.is_empty());
            Ok(())
        })
        .unwrap();
}
