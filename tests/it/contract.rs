//! The client decodes what Atlas really sent, and the simulator sends what
//! Atlas sends: the recorded responses and the official spec are the judges.

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use atlas_client::{
    ApiError, Client, ClientConfig, Credentials, DatabaseUser, IssuedPem, Page, Project, UserCert,
    UserSecurity, X509Type,
};
use common::*;
use serde_json::Value;
use x509_parser::prelude::*;

struct Recorded {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

fn recorded(name: &str) -> Recorded {
    let path = format!(
        "{}/tests/fixtures/recorded/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (head, body) = text.split_once("\n\n").expect("headers, blank line, body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect();
    Recorded {
        status,
        headers,
        body: body.trim_end().to_string(),
    }
}

#[test]
fn client_decodes_every_recorded_response() {
    let groups: Page<Project> =
        serde_json::from_str(&recorded("list_groups.GET_groups.200.snaphost").body).unwrap();
    assert_eq!(groups.results.len(), 37);
    assert_eq!(groups.known_total(), Some(37));
    assert_eq!(groups.results[0].cluster_count, Some(5));
    assert_eq!(
        groups.link("self").map(|s| s.contains("pageNum=1")),
        Some(true)
    );

    let users: Page<DatabaseUser> =
        serde_json::from_str(&recorded("list_dbusers.GET_databaseUsers.200.snaphost").body)
            .unwrap();
    assert_eq!(users.known_total(), Some(33));
    assert!(users.results.iter().any(|u| u.delete_after_date.is_some()));
    assert!(users.results.iter().any(|u| u.username.contains('/')));

    for name in [
        "get_oidc_user_slash_in_name.GET.200.snaphost",
        "01_create_x509_managed_dbuser.POST_databaseUsers.201.snaphost",
    ] {
        let u: DatabaseUser = serde_json::from_str(&recorded(name).body).unwrap();
        assert!(!u.roles.is_empty(), "{name}");
    }
    let managed: DatabaseUser = serde_json::from_str(
        &recorded("01_create_x509_managed_dbuser.POST_databaseUsers.201.snaphost").body,
    )
    .unwrap();
    assert_eq!(managed.x509_type, X509Type::Managed);
    assert_eq!(managed.database_name, "$external");

    for name in [
        "03_list_certs.GET_databaseUsers_user_certs.200.snaphost",
        "hist_list_certs_3_results.user147.snaphost",
        "list_certs_user631.200.snaphost",
    ] {
        let page: Page<UserCert> = serde_json::from_str(&recorded(name).body).unwrap();
        assert!(!page.results.is_empty(), "{name}");
        assert!(page.results.iter().all(|c| c.not_after > c.created_at));
    }

    for name in [
        "get_userSecurity.GET.200.snaphost",
        "patch_userSecurity.PATCH.202.snaphost",
    ] {
        let s: UserSecurity = serde_json::from_str(&recorded(name).body).unwrap();
        assert!(!s.customer_x509.is_configured());
        assert!(s.ldap.is_some());
    }

    let e: ApiError = serde_json::from_str(&recorded("404_GROUP_NOT_FOUND.snaphost").body).unwrap();
    assert_eq!(e.error_code, "GROUP_NOT_FOUND");
    let r = recorded("401_digest_challenge.snaphost");
    let e: ApiError = serde_json::from_str(&r.body).unwrap();
    assert_eq!((e.error, e.error_code.as_str()), (401, "UNEXPECTED_ERROR"));
}

#[test]
fn serials_above_2_pow_53_survive_exactly() {
    let page: Page<UserCert> =
        serde_json::from_str(&recorded("list_certs_user631.200.snaphost").body).unwrap();
    assert_eq!(page.results[0].id, 9_096_781_148_244_857_296);
    assert!(page.results[0].id > 1 << 53);
    // f64 would have rounded it.
    assert_ne!(page.results[0].id as f64 as u64, 9_096_781_148_244_857_296);
}

fn serial_u64(cert: &X509Certificate) -> u64 {
    let raw = cert.tbs_certificate.raw_serial();
    let raw = raw.strip_prefix(&[0][..]).unwrap_or(raw);
    raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
}

#[test]
fn recorded_issued_certificate_matches_the_recorded_list() {
    let r = recorded("02_create_cert.POST_databaseUsers_user_certs.201.snaphost");
    assert_eq!(r.status, 201);
    assert!(r.headers["content-type"].starts_with("application/vnd.atlas.2023-01-01+json"));
    let pem = IssuedPem::new(r.body);
    let (_, p) =
        x509_parser::pem::parse_x509_pem(pem.certificate_pem().unwrap().as_bytes()).unwrap();
    let (_, cert) = X509Certificate::from_der(&p.contents).unwrap();
    assert_eq!(cert.subject().to_string(), "CN=user389");
    assert!(
        cert.issuer()
            .to_string()
            .ends_with("OU=Atlas, O=MongoDB Inc")
    );
    let list: Page<UserCert> = serde_json::from_str(
        &recorded("03_list_certs.GET_databaseUsers_user_certs.200.snaphost").body,
    )
    .unwrap();
    let listed = list
        .results
        .iter()
        .find(|c| c.id == serial_u64(&cert))
        .expect("the serial is the list's _id");
    assert_eq!(
        listed.created_at.as_second(),
        cert.validity().not_before.timestamp()
    );
    assert_eq!(
        listed.not_after.as_second(),
        cert.validity().not_after.timestamp()
    );
}

// ---- the simulator against the recordings and the spec ----------------------

/// Every leaf path of a JSON value with its type; array elements merge under `[]`.
fn shape(v: &Value) -> BTreeMap<String, &'static str> {
    fn walk(v: &Value, path: String, out: &mut BTreeMap<String, &'static str>) {
        match v {
            Value::Object(m) => {
                out.insert(path.clone(), "object");
                for (k, v) in m {
                    walk(v, format!("{path}.{k}"), out);
                }
            }
            Value::Array(a) => {
                out.insert(path.clone(), "array");
                for v in a {
                    walk(v, format!("{path}[]"), out);
                }
            }
            Value::String(_) => drop(out.insert(path, "string")),
            Value::Number(_) => drop(out.insert(path, "number")),
            Value::Bool(_) => drop(out.insert(path, "bool")),
            Value::Null => drop(out.insert(path, "null")),
        }
    }
    let mut out = BTreeMap::new();
    walk(v, String::new(), &mut out);
    out
}

/// Same types wherever both have a field; fields only the recording has
/// must be in `optional`; fields only the simulator has must be in the spec
/// (checked separately by `validate`).
fn assert_same_shape(what: &str, recorded: &Value, sim: &Value, optional: &[&str]) {
    let r = shape(recorded);
    let s = shape(sim);
    for (path, t) in &r {
        match s.get(path) {
            Some(st) => assert_eq!(
                st, t,
                "{what}: {path} is {st} in the simulator, {t} in Atlas"
            ),
            None => assert!(
                optional.iter().any(|o| path.contains(o)),
                "{what}: Atlas sends {path} but the simulator does not"
            ),
        }
    }
}

fn spec() -> Value {
    let path = format!(
        "{}/tests/fixtures/openapi-excerpt.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A small JSON-schema check for the subset the spec uses here: $ref, type,
/// properties (no extras), items, required, enum.
fn validate(spec: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return validate(spec, &spec["components"]["schemas"][name], v, path, errors);
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => true,
        };
        if !ok {
            errors.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
        && !e
            .iter()
            .any(|x| x.as_str().is_some_and(|s| s.starts_with('<')))
    {
        errors.push(format!("{path}: {v} is not one of {e:?}"));
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let obj = v.as_object().unwrap();
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !obj.contains_key(req.as_str().unwrap()) {
                errors.push(format!("{path}: required {req} missing"));
            }
        }
        for (k, val) in obj {
            match props.get(k) {
                Some(s) => validate(spec, s, val, &format!("{path}.{k}"), errors),
                None => errors.push(format!("{path}: {k} is not in the spec")),
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(spec, items, x, &format!("{path}[{i}]"), errors);
        }
    }
}

fn assert_valid(schema: &str, v: &Value) {
    let spec = spec();
    let mut errors = vec![];
    validate(
        &spec,
        &serde_json::json!({ "$ref": format!("#/components/schemas/{schema}") }),
        v,
        schema,
        &mut errors,
    );
    assert!(errors.is_empty(), "{schema}: {errors:#?}");
}

async fn sim_get(
    h: &atlas_sim::SimHandle,
    token: &str,
    path: &str,
) -> (u16, HashMap<String, String>, String) {
    get_as(h, token, V2, path).await
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[tokio::test]
async fn simulator_bodies_match_atlas_and_the_spec() {
    let h = sim().await;
    let t = raw_token(&h).await;

    let (status, headers, body) = sim_get(&h, &t, "/api/atlas/v2/groups").await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.atlas.2023-01-01+json;charset=utf-8"
    );
    assert!(headers.contains_key("ratelimit-limit") && headers.contains_key("ratelimit-remaining"));
    let sim_groups = json(&body);
    let rec_groups = json(&recorded("list_groups.GET_groups.200.snaphost").body);
    assert_same_shape("groups", &rec_groups, &sim_groups, &[]);
    assert_valid("PaginatedAtlasGroupView", &sim_groups);
    assert_valid("PaginatedAtlasGroupView", &rec_groups);

    let (_, _, body) = sim_get(
        &h,
        &t,
        &format!("/api/atlas/v2/groups/{ORDERS}/databaseUsers"),
    )
    .await;
    let sim_users = json(&body);
    let rec_users = json(&recorded("list_dbusers.GET_databaseUsers.200.snaphost").body);
    assert_same_shape("users", &rec_users, &sim_users, &["deleteAfterDate"]);
    assert_valid("PaginatedApiAtlasDatabaseUserView", &sim_users);
    assert_valid("PaginatedApiAtlasDatabaseUserView", &rec_users);
    // Self links name the database and percent-encode a `/` as Atlas does.
    let hrefs: Vec<&str> = sim_users["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["links"][0]["href"].as_str().unwrap())
        .collect();
    assert!(
        hrefs
            .iter()
            .any(|h| h.ends_with("/databaseUsers/admin/d0123456789abcdef012345d%2Fanalysts")),
        "{hrefs:?}"
    );
    assert!(
        hrefs
            .iter()
            .any(|h| h.ends_with("/databaseUsers/$external/alice")),
        "{hrefs:?}"
    );

    let (_, _, body) = sim_get(
        &h,
        &t,
        &format!("/api/atlas/v2/groups/{ORDERS}/databaseUsers/alice/certs"),
    )
    .await;
    let sim_certs = json(&body);
    let rec_certs = json(&recorded("03_list_certs.GET_databaseUsers_user_certs.200.snaphost").body);
    assert_same_shape("certs", &rec_certs, &sim_certs, &[]);
    assert_valid("PaginatedUserCertView", &sim_certs);
    assert!(
        sim_certs["links"][0]["href"]
            .as_str()
            .unwrap()
            .ends_with("/databaseUsers/alice/certs?includeCount=true&pageNum=1&itemsPerPage=100")
    );

    for gid in [PAYMENTS, ORDERS] {
        let (_, _, body) =
            sim_get(&h, &t, &format!("/api/atlas/v2/groups/{gid}/userSecurity")).await;
        let sim_sec = json(&body);
        assert_valid("UserSecurity", &sim_sec);
        if gid == PAYMENTS {
            assert_same_shape(
                "userSecurity",
                &json(&recorded("get_userSecurity.GET.200.snaphost").body),
                &sim_sec,
                &[],
            );
        } else {
            assert_eq!(
                sim_sec["customerX509"],
                serde_json::json!({}),
                "as Atlas: {{}} when no CA is set"
            );
        }
    }
}

#[tokio::test]
async fn simulator_errors_match_atlas() {
    let h = sim().await;
    let t = raw_token(&h).await;
    let (status, headers, body) = sim_get(
        &h,
        &t,
        "/api/atlas/v2/groups/111111111111111111111111/databaseUsers",
    )
    .await;
    let rec = recorded("404_GROUP_NOT_FOUND.snaphost");
    assert_eq!(status, rec.status);
    assert_eq!(headers["content-type"], rec.headers["content-type"]);
    assert_eq!(headers["x-error-code"], rec.headers["x-error-code"]);
    assert_eq!(json(&body), json(&rec.body), "same body, field for field");
    // The spec types `parameters` as objects; Atlas really sends strings.
    // The recording wins, so the simulator follows it.
    let mut errors = vec![];
    let schema = serde_json::json!({ "$ref": "#/components/schemas/ApiError" });
    validate(&spec(), &schema, &json(&rec.body), "ApiError", &mut errors);
    assert_eq!(
        errors,
        ["ApiError.parameters[0]: expected object, got \"111111111111111111111111\""]
    );

    // No credentials: the exact challenge and body Atlas sends.
    let resp = reqwest::Client::new()
        .get(format!("{}/api/atlas/v2/groups", h.base_url()))
        .header("accept", V2)
        .send()
        .await
        .unwrap();
    let challenge = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(
        resp.text().await.unwrap(),
        recorded("401_digest_challenge.snaphost").body
    );
    let rec_challenge = &recorded("401_digest_challenge.snaphost").headers["www-authenticate"];
    let without_nonce = |s: &str| {
        let start = s.find("nonce=\"").unwrap() + 7;
        let end = start + s[start..].find('"').unwrap();
        format!("{}{}", &s[..start], &s[end..])
    };
    assert_eq!(without_nonce(&challenge), without_nonce(rec_challenge));

    // Months out of range sent raw, past the client's own check.
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/atlas/v2/groups/{ORDERS}/databaseUsers/alice/certs",
            h.base_url()
        ))
        .bearer_auth(&t)
        .header("accept", V2)
        .header("content-type", V2)
        .body(r#"{"monthsUntilExpiration":25}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.headers()["x-error-code"],
        "CERT_EXPIRY_CANNOT_EXCEED_TWO_YEARS"
    );
    let e: ApiError = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(
        e.detail.as_deref(),
        Some("Atlas-generated X.509 certificates have a maximum expiration of 24 months.")
    );

    // Bad paging parameters.
    let (status, headers, _) = sim_get(&h, &t, "/api/atlas/v2/groups?itemsPerPage=501").await;
    assert_eq!(
        (status, headers["x-error-code"].as_str()),
        (400, "INVALID_QUERY_PARAMETER")
    );
}

#[tokio::test]
async fn versions_are_negotiated_like_atlas() {
    let h = sim().await;
    let t = raw_token(&h).await;
    let get = |accept: Option<&'static str>, path: &'static str| {
        let mut req = reqwest::Client::new()
            .get(format!("{}{path}", h.base_url()))
            .bearer_auth(&t);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        req.send()
    };
    for bad in [
        None,
        Some("application/json"),
        Some("application/vnd.atlas.2022-12-31+json"),
        Some("application/vnd.atlas.2023-13-01+json"),
        Some("application/vnd.atlas.2023-1-1+json"),
        Some("*/*"),
    ] {
        let resp = get(bad, "/api/atlas/v2/groups").await.unwrap();
        assert_eq!(resp.status(), 406, "{bad:?}");
        let e: ApiError = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert_eq!(e.error_code, "INVALID_VERSION_DATE");
    }
    let resp = get(
        Some("application/vnd.atlas.2023-01-01+json;charset=utf-8"),
        "/api/atlas/v2/groups",
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    // A later date is served at the newest version on or before it: the
    // official MCP server sends 2025-03-12 for every call.
    for later in [
        "application/vnd.atlas.2025-03-12+json",
        "application/vnd.atlas.2099-01-01+json",
    ] {
        let resp = get(Some(later), "/api/atlas/v2/groups").await.unwrap();
        assert_eq!(resp.status(), 200, "{later}");
        assert_eq!(
            resp.headers()["content-type"],
            "application/vnd.atlas.2023-01-01+json;charset=utf-8",
            "served at the version that exists"
        );
    }
    // A resource born later is not there at an earlier date.
    let resp = get(Some(V2), "/api/atlas/v2/rateLimits").await.unwrap();
    assert_eq!(resp.status(), 406);
    // v1.0 has no media-type versioning and answers plain JSON in the same shape.
    let resp = get(Some("application/json"), "/api/atlas/v1.0/groups")
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let page: Page<Project> = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
    assert_eq!(page.results.len(), 4);
    assert!(page.results[0].created.is_some());
}

#[tokio::test]
async fn issued_pem_comes_raw_with_atlas_content_type() {
    let h = sim().await;
    let t = raw_token(&h).await;
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/atlas/v2/groups/{ORDERS}/databaseUsers/alice/certs",
            h.base_url()
        ))
        .bearer_auth(&t)
        .header("accept", V2)
        .header("content-type", V2)
        .body(r#"{"monthsUntilExpiration":3}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let rec = recorded("02_create_cert.POST_databaseUsers_user_certs.201.snaphost");
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        rec.headers["content-type"]
    );
    assert!(resp.headers().contains_key("ratelimit-remaining"));
    let body = resp.text().await.unwrap();
    assert!(
        body.starts_with("-----BEGIN CERTIFICATE-----\n"),
        "not JSON-quoted"
    );
    let key_at = body.find("-----BEGIN PRIVATE KEY-----").unwrap();
    assert!(key_at > body.find("-----END CERTIFICATE-----").unwrap());
}

async fn sim_send(
    h: &atlas_sim::SimHandle,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, String) {
    let resp = reqwest::Client::new()
        .request(method, format!("{}{path}", h.base_url()))
        .bearer_auth(token)
        .header("accept", V2)
        .header("content-type", V2)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The simulator creates X.509 users and sets customer CAs as the recorded
/// answers show, and refuses as Atlas does.
#[tokio::test]
async fn simulator_lifecycle_answers_match_atlas() {
    let h = sim().await;
    let t = raw_token(&h).await;
    let users = format!("/api/atlas/v2/groups/{ORDERS}/databaseUsers");
    let new = serde_json::json!({
        "databaseName": "$external", "groupId": ORDERS, "username": "user389",
        "x509Type": "MANAGED", "roles": [{"databaseName": "admin", "roleName": "atlasAdmin"}]
    });
    let (status, body) = sim_send(&h, &t, reqwest::Method::POST, &users, new.clone()).await;
    assert_eq!(status, 201, "{body}");
    let rec = recorded("01_create_x509_managed_dbuser.POST_databaseUsers.201.snaphost");
    assert_eq!(rec.status, 201);
    assert_same_shape("created user", &json(&rec.body), &json(&body), &[]);
    assert_valid("CloudDatabaseUser", &json(&body));
    assert!(
        json(&body)["links"][0]["href"]
            .as_str()
            .unwrap()
            .ends_with("/databaseUsers/$external/user389")
    );
    let (status, body) = sim_send(&h, &t, reqwest::Method::POST, &users, new).await;
    assert_eq!(status, 409);
    assert_eq!(json(&body)["errorCode"], "USER_ALREADY_EXISTS");

    // Through the client: created, then issued to, then a duplicate refused.
    let c = bearer_client(&h);
    let user = atlas_client::NewX509User {
        username: "svc-billing".into(),
        x509_type: X509Type::Managed,
        roles: vec![atlas_client::Role {
            role_name: "readWrite".into(),
            database_name: "billing".into(),
            collection_name: None,
        }],
    };
    let made = c.create_x509_user(ORDERS, &user).await.unwrap();
    assert_eq!(
        (made.x509_type, made.database_name.as_str()),
        (X509Type::Managed, "$external")
    );
    c.create_cert(ORDERS, "svc-billing", 1).await.unwrap();
    let err = c.create_x509_user(ORDERS, &user).await.unwrap_err();
    assert_eq!(err.error_code(), Some("USER_ALREADY_EXISTS"));
    let creates = h
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.target.ends_with("/databaseUsers"))
        .count();
    assert_eq!(
        creates, 4,
        "two raw, two by the client: a refusal is not retried"
    );

    // A customer CA: 202 with the UserSecurity shape, then MANAGED refused.
    let rec = recorded("patch_userSecurity.PATCH.202.snaphost");
    assert_eq!(rec.status, 202);
    let ca = common::fixtures::ca_pem("Acme Root");
    let sec = c.set_customer_x509(ORDERS, &ca).await.unwrap();
    assert!(sec.customer_x509.is_configured());
    let (status, body) = sim_send(
        &h,
        &t,
        reqwest::Method::PATCH,
        &format!("/api/atlas/v2/groups/{ORDERS}/userSecurity"),
        serde_json::json!({"customerX509": {"cas": ca}}),
    )
    .await;
    assert_eq!(status, 202);
    assert_valid("UserSecurity", &json(&body));
    // The recording configured LDAP; atlas-x509 only ever sets the CA.
    assert_same_shape(
        "patched userSecurity",
        &json(&rec.body),
        &json(&body),
        &[".ldap."],
    );
    let err = c.create_cert(ORDERS, "svc-billing", 1).await.unwrap_err();
    assert_eq!(
        err.error_code(),
        Some("CANNOT_GENERATE_CERT_IF_ADVANCED_X509")
    );
    let err = c.set_customer_x509(ORDERS, "not a pem").await.unwrap_err();
    assert_eq!(err.error_code(), Some("VALIDATION_ERROR"));
}

async fn get_as(
    h: &atlas_sim::SimHandle,
    token: &str,
    accept: &str,
    path: &str,
) -> (u16, HashMap<String, String>, String) {
    let resp = reqwest::Client::new()
        .get(format!("{}{path}", h.base_url()))
        .bearer_auth(token)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap().to_string()))
        .collect();
    (status, headers, resp.text().await.unwrap())
}

const V2025: &str = "application/vnd.atlas.2025-03-12+json";

/// `GET /rateLimits` as the spec has it, and buckets that behave as its
/// numbers say: a 429 `RATE_LIMITED_TOKEN_BUCKET` in the documented shape.
#[tokio::test]
async fn rate_limits_are_listed_and_enforced_as_documented() {
    let h = sim_with(|c| {
        c.rate_limit = Some(atlas_sim::RateLimit {
            limit: 3,
            window: Duration::from_secs(60),
        })
    })
    .await;
    let t = raw_token(&h).await;
    let (status, headers, body) = get_as(&h, &t, V2025, "/api/atlas/v2/rateLimits").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        headers["content-type"],
        "application/vnd.atlas.2025-03-12+json;charset=utf-8"
    );
    let list = json(&body);
    assert_valid("PaginatedRateLimitEndpointSets", &list);
    let sets = list["results"].as_array().unwrap();
    // Every path atlas-x509 calls belongs to a listed set.
    let spec = spec();
    for path in spec["paths"].as_object().unwrap().keys() {
        assert!(
            sets.iter().any(|s| s["endpoints"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["path"] == path.as_str())),
            "{path} is in no endpoint set"
        );
    }
    let certs = sets
        .iter()
        .find(|s| s["endpointSetId"] == "databaseUserCertificates_group")
        .unwrap();
    assert_eq!(certs["scope"], "GROUP");
    assert_eq!(certs["capacity"]["value"], 3, "the imposed capacity");
    assert_eq!(certs["capacity"]["defaultValue"], 1200, "as recorded");
    let (status, _, one) = get_as(
        &h,
        &t,
        V2025,
        "/api/atlas/v2/rateLimits/databaseUserCertificates_group",
    )
    .await;
    assert_eq!(status, 200);
    assert_valid("RateLimitEndpointSetResponse", &json(&one));
    let (status, _, _) = get_as(&h, &t, V2025, "/api/atlas/v2/rateLimits/nope").await;
    assert_eq!(status, 404);

    // Three tokens in the project's userSecurity bucket, then a 429.
    let path = format!("/api/atlas/v2/groups/{ORDERS}/userSecurity");
    let mut remaining = vec![];
    for _ in 0..3 {
        let (status, headers, _) = sim_get(&h, &t, &path).await;
        assert_eq!(status, 200);
        assert_eq!(headers["ratelimit-limit"], "3");
        remaining.push(headers["ratelimit-remaining"].clone());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let (status, headers, body) = sim_get(&h, &t, &path).await;
    assert_eq!(status, 429);
    let e = json(&body);
    assert_eq!(e["errorCode"], "RATE_LIMITED_TOKEN_BUCKET");
    assert_eq!(e["reason"], "Too Many Requests");
    let wait: u64 = headers["retry-after"].parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        e["parameters"],
        serde_json::json!([path.trim_start_matches('/'), wait, 3, 3, 60])
    );
    assert_eq!(
        e["detail"],
        format!(
            "Rate limit exceeded for {}. Please retry after {wait} seconds. Request capacity: 3. Refill rate: 3 per 60 seconds.",
            path.trim_start_matches('/')
        )
    );
    // Another project's bucket is its own.
    let (status, _, _) = sim_get(
        &h,
        &t,
        &format!("/api/atlas/v2/groups/{SANDBOX}/userSecurity"),
    )
    .await;
    assert_eq!(status, 200);
}

/// `GET` and `DELETE .../databaseUsers/{databaseName}/{username}`, as the
/// spec has them and the recorded answer shows.
#[tokio::test]
async fn a_user_is_read_and_deleted_by_database_and_name() {
    let h = sim().await;
    let t = raw_token(&h).await;
    let path = format!("/api/atlas/v2/groups/{ORDERS}/databaseUsers/%24external/alice");
    let (status, headers, body) = sim_get(&h, &t, &path).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        headers["content-type"],
        "application/vnd.atlas.2023-01-01+json;charset=utf-8"
    );
    let user = json(&body);
    assert_valid("CloudDatabaseUser", &user);
    let rec = json(&recorded("get_oidc_user_slash_in_name.GET.200.snaphost").body);
    assert_same_shape("one user", &rec, &user, &["description", "scopes"]);
    assert_eq!(user["username"], "alice");
    // The wrong database is another user.
    let (status, _, _) = sim_get(
        &h,
        &t,
        &format!("/api/atlas/v2/groups/{ORDERS}/databaseUsers/admin/alice"),
    )
    .await;
    assert_eq!(status, 404);
    let resp = reqwest::Client::new()
        .delete(format!("{}{path}", h.base_url()))
        .bearer_auth(&t)
        .header("accept", V2)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(resp.text().await.unwrap().is_empty());
    let (status, _, body) = sim_get(&h, &t, &path).await;
    assert_eq!(status, 404, "{body}");
    let (status, _, _) = sim_get(
        &h,
        &t,
        &format!("/api/atlas/v2/groups/{ORDERS}/databaseUsers/alice/certs"),
    )
    .await;
    assert_eq!(status, 404, "her certificates went with her");
}

/// OAuth lets a client send its credentials in the form body
/// (`client_secret_post`) as well as HTTP Basic; and a token is revoked at
/// `/api/oauth/revoke` (RFC 7009).
#[tokio::test]
async fn the_token_endpoint_takes_either_client_auth_and_revokes() {
    let h = sim().await;
    let form = |extra: &str| format!("grant_type=client_credentials{extra}");
    let post = |path: &'static str, body: String, basic: bool| {
        let mut req = reqwest::Client::new()
            .post(format!("{}{path}", h.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if basic {
            req = req.basic_auth(&h.credentials.client_id, Some(&h.credentials.client_secret));
        }
        req.send()
    };
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let in_body = format!(
        "&client_id={}&client_secret={}",
        enc(&h.credentials.client_id),
        enc(&h.credentials.client_secret)
    );
    let resp = post("/api/oauth/token", form(&in_body), false)
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let token = json(&resp.text().await.unwrap())["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = format!(
        "&client_id={}&client_secret=nope",
        enc(&h.credentials.client_id)
    );
    assert_eq!(
        post("/api/oauth/token", form(&wrong), false)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        post("/api/oauth/token", form(&in_body), true)
            .await
            .unwrap()
            .status(),
        401,
        "two ways at once is refused (RFC 6749 2.3)"
    );
    let (status, _, _) = sim_get(&h, &token, "/api/atlas/v2/groups").await;
    assert_eq!(status, 200);
    let resp = post(
        "/api/oauth/revoke",
        format!("token={}&token_type_hint=access_token", enc(&token)),
        true,
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, _, _) = sim_get(&h, &token, "/api/atlas/v2/groups").await;
    assert_eq!(status, 401, "revoked");
    let resp = post("/api/oauth/revoke", format!("token={}", enc(&token)), true)
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "an unknown token is no error");
    let resp = post("/api/oauth/revoke", format!("token={}", enc(&token)), false)
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "only the client may revoke");
}

/// Atlas's documented codes (tests/fixtures/error-codes.json) with their
/// HTTP statuses, and the token-bucket code the rate-limit page documents.
fn documented_codes() -> Vec<(String, u16, String)> {
    let path = format!(
        "{}/tests/fixtures/error-codes.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v = json(&std::fs::read_to_string(path).unwrap());
    let mut codes: Vec<(String, u16, String)> = v["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["errorCode"].as_str().unwrap().to_string(),
                u16::try_from(c["http"].as_u64().unwrap()).unwrap(),
                c["detailTemplate"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(codes.len(), 33, "the fixture as stored");
    // docs/atlas/api/api-rate-limit: the token bucket's own 429.
    codes.push((
        "RATE_LIMITED_TOKEN_BUCKET".into(),
        429,
        "Rate limit exceeded for %s. Please retry after %s seconds. Request capacity: %s. Refill rate: %s per %s seconds.".into(),
    ));
    codes
}

/// A detail matches its template when the template's fixed parts appear in
/// order (`%s` and `%d` stand for anything).
fn fits_template(detail: &str, template: &str) -> bool {
    let mut rest = detail;
    for part in template
        .split(['%'])
        .enumerate()
        .map(|(i, p)| if i == 0 { p } else { p.get(1..).unwrap_or("") })
    {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Every error the simulator answers in the situations it models is one
/// Atlas documents, with the documented status and detail.
#[tokio::test]
async fn the_simulators_errors_are_the_documented_ones() {
    let h = sim().await;
    let t = raw_token(&h).await;
    let tight = sim_with(|c| {
        c.rate_limit = Some(atlas_sim::RateLimit {
            limit: 1,
            window: Duration::from_secs(600),
        })
    })
    .await;
    let tight_token = raw_token(&tight).await;
    let documented = documented_codes();
    let g = "/api/atlas/v2/groups";
    let send = |method: reqwest::Method, path: String, body: Option<&'static str>| {
        // The project list's bucket of the tight simulator holds one token.
        let (h, t) = if path == g {
            (&tight, &tight_token)
        } else {
            (&h, &t)
        };
        let mut req = reqwest::Client::new()
            .request(method, format!("{}{path}", h.base_url()))
            .bearer_auth(t)
            .header("accept", V2);
        if let Some(b) = body {
            req = req.header("content-type", V2).body(b);
        }
        req.send()
    };
    use reqwest::Method;
    let cases: Vec<(Method, String, Option<&'static str>, &str)> = vec![
        (
            Method::GET,
            format!("{g}/111111111111111111111111/databaseUsers"),
            None,
            "GROUP_NOT_FOUND",
        ),
        (
            Method::GET,
            format!("{g}/not-a-group/userSecurity"),
            None,
            "INVALID_GROUP_ID",
        ),
        (
            Method::GET,
            format!("{g}/{SANDBOX}/databaseUsers/nobody/certs"),
            None,
            "USERNAME_NOT_FOUND",
        ),
        (
            Method::POST,
            format!("{g}/{ORDERS}/databaseUsers/alice/certs"),
            Some(r#"{"monthsUntilExpiration":25}"#),
            "CERT_EXPIRY_CANNOT_EXCEED_TWO_YEARS",
        ),
        (
            Method::GET,
            format!("{g}?itemsPerPage=501"),
            None,
            "INVALID_QUERY_PARAMETER",
        ),
        (
            Method::GET,
            format!("{g}/{ORDERS}/nothing-here"),
            None,
            "RESOURCE_NOT_FOUND",
        ),
        // The tight project list's bucket holds one token: the second is refused.
        (Method::GET, g.to_string(), None, ""),
        (
            Method::GET,
            g.to_string(),
            None,
            "RATE_LIMITED_TOKEN_BUCKET",
        ),
    ];
    let mut seen = vec![];
    for (method, path, body, want) in cases {
        let resp = send(method.clone(), path.clone(), body).await.unwrap();
        let status = resp.status().as_u16();
        let header = resp
            .headers()
            .get("x-error-code")
            .map(|v| v.to_str().unwrap().to_string());
        let text = resp.text().await.unwrap();
        if want.is_empty() {
            assert!(status < 300, "{method} {path}: {status} {text}");
            continue;
        }
        let e: ApiError = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
        assert_eq!(e.error_code, want, "{method} {path}");
        assert_eq!(header.as_deref(), Some(want), "X-Error-Code");
        let (_, http, template) = documented
            .iter()
            .find(|(c, _, _)| *c == e.error_code)
            .unwrap_or_else(|| panic!("{} is no documented code", e.error_code));
        assert_eq!(
            (status, e.error),
            (*http, *http),
            "{want}: the documented status"
        );
        let detail = e.detail.as_deref().unwrap_or_default();
        assert!(
            fits_template(detail, template),
            "{want}: {detail:?} vs {template:?}"
        );
        seen.push(want);
    }
    assert_eq!(seen.len(), 7, "every case reached its error");
}

/// The client reads every documented code as Atlas sends it: the code and
/// status kept, the detail shown, authentication codes taken as such.
#[tokio::test]
async fn the_client_reads_every_documented_code() {
    let codes = documented_codes();
    let served = codes.clone();
    let h = common::hostile::start(move |r| {
        let i: usize = r
            .path()
            .rsplit('/')
            .nth(1)
            .and_then(|g| g.trim_start_matches('0').parse().ok())
            .unwrap_or(0);
        let (code, http, template) = &served[i];
        common::hostile::Reply::Raw(common::hostile::response(
            *http,
            &[("Content-Type", "application/json"), ("X-Error-Code", code)],
            common::hostile::atlas_error(*http, code, template).as_bytes(),
        ))
    })
    .await;
    let mut cfg = ClientConfig::new(h.base_url.clone(), Credentials::None);
    cfg.max_retries = 0;
    cfg.max_retry_wait = Duration::from_millis(1);
    let c = Client::new(cfg).unwrap();
    for (i, (code, http, template)) in codes.iter().enumerate() {
        let group = format!("{i:024}");
        let err = c.get_user_security(&group).await.unwrap_err();
        assert_eq!(err.error_code(), Some(code.as_str()), "{code}");
        assert_eq!(err.status(), Some(*http), "{code}");
        let said = err.explained();
        assert!(said.contains(code.as_str()), "{code}: {said}");
        let fixed = template.split('%').next().unwrap();
        assert!(said.contains(fixed), "{code}: the detail is shown: {said}");
        assert_eq!(err.is_auth(), *http == 401 || *http == 403, "{code}");
    }
}
