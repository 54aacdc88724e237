//! The JSON Atlas sends, built by hand (not from the client's models) so the
//! contract tests compare two independent readings of the API.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::SimError;
use super::store::{CertRec, ProjectRec, UserRec, rfc3339};
use atlas_client::encode_path_segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V2,
    V1,
}

impl ApiVersion {
    pub fn from_path(path: &str) -> Option<Self> {
        if path.starts_with("/api/atlas/v2/") || path == "/api/atlas/v2" {
            Some(ApiVersion::V2)
        } else if path.starts_with("/api/atlas/v1.0/") || path == "/api/atlas/v1.0" {
            Some(ApiVersion::V1)
        } else {
            None
        }
    }

    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::V2 => "v2",
            ApiVersion::V1 => "v1.0",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ApiVersion::V2 => "application/vnd.atlas.2023-01-01+json;charset=utf-8",
            ApiVersion::V1 => "application/json",
        }
    }
}

pub fn body(status: StatusCode, content_type: &'static str, text: String) -> Response {
    let mut r = (status, text).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// 204: no body, the version's type all the same (as recorded).
pub fn no_content(v: ApiVersion) -> Response {
    body(StatusCode::NO_CONTENT, v.content_type(), String::new())
}

pub fn json(status: StatusCode, v: ApiVersion, value: &Value) -> Response {
    body(status, v.content_type(), value.to_string())
}

/// Errors are plain `application/json` with the code repeated in `X-Error-Code`.
pub fn error(e: SimError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let value = json!({
        "detail": e.detail,
        "error": e.status,
        "errorCode": e.code,
        "parameters": e.parameters,
        "reason": status.canonical_reason().unwrap_or("Error"),
    });
    let mut r = body(status, "application/json", value.to_string());
    r.headers_mut()
        .insert("x-error-code", HeaderValue::from_static(e.code));
    r
}

fn links(href: String) -> Value {
    json!([{ "href": href, "rel": "self" }])
}

pub fn group(p: &ProjectRec, org_id: &str, base: &str, v: ApiVersion) -> Value {
    json!({
        "clusterCount": p.cluster_count,
        "created": rfc3339(p.created),
        "id": p.id,
        "links": links(format!("{base}/api/atlas/{}/groups/{}", v.segment(), p.id)),
        "name": p.name,
        "orgId": org_id,
        "tags": p.tags,
        "withDefaultAlertsSettings": true,
    })
}

pub fn user(u: &UserRec, group_id: &str, base: &str, v: ApiVersion) -> Value {
    let mut value = json!({
        "awsIAMType": "NONE",
        "databaseName": u.database_name,
        "groupId": group_id,
        "labels": u.labels,
        "ldapAuthType": u.ldap_auth_type,
        "links": links(format!(
            "{base}/api/atlas/{}/groups/{group_id}/databaseUsers/{}/{}",
            v.segment(),
            encode_path_segment(&u.database_name),
            encode_path_segment(&u.username)
        )),
        "oidcAuthType": u.oidc_auth_type,
        "roles": u.roles,
        "scopes": u.scopes,
        "username": u.username,
        "x509Type": u.x509_type,
    });
    if let Some(d) = &u.description {
        value["description"] = json!(d);
    }
    value
}

/// One certificate as a `Value`: the reading [`cert_page`] is checked
/// against.
#[cfg(test)]
pub fn cert(c: &CertRec, group_id: &str, username: &str) -> Value {
    json!({
        "_id": c.serial,
        "createdAt": rfc3339(c.created_at),
        "groupId": group_id,
        "notAfter": rfc3339(c.not_after),
        "subject": format!("CN={}", escape_rdn_value(username)),
    })
}

pub fn user_security(p: &ProjectRec) -> Value {
    let customer = match &p.customer_cas {
        Some(cas) => json!({ "cas": cas }),
        None => json!({}),
    };
    let ldap = p.ldap.clone().unwrap_or_else(
        || json!({ "authenticationEnabled": false, "authorizationEnabled": false }),
    );
    json!({ "customerX509": customer, "ldap": ldap })
}

/// A page of certificates, serialised straight from the records: the
/// busiest list in the benchmarks, where a `Value` tree per certificate
/// (a map, five keys, two formatted dates, the subject escaped again for
/// each) cost the simulator ~2 ms per page of 500. Byte for byte what
/// [`cert`] inside [`PageQuery::page`] gives.
pub fn cert_page(
    q: &PageQuery,
    total: usize,
    certs: &[CertRec],
    base: &str,
    path: &str,
    group_id: &str,
    username: &str,
) -> String {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        links: Vec<Link>,
        results: Vec<CertOut<'a>>,
        #[serde(rename = "totalCount")]
        total_count: usize,
    }
    #[derive(serde::Serialize)]
    struct CertOut<'a> {
        #[serde(rename = "_id")]
        id: u64,
        #[serde(rename = "createdAt")]
        created_at: Rfc3339,
        #[serde(rename = "groupId")]
        group_id: &'a str,
        #[serde(rename = "notAfter")]
        not_after: Rfc3339,
        subject: &'a str,
    }
    let subject = format!("CN={}", escape_rdn_value(username));
    let out = Out {
        links: q.links(base, path, total),
        results: certs
            .iter()
            .map(|c| CertOut {
                id: c.serial,
                created_at: Rfc3339(c.created_at),
                group_id,
                not_after: Rfc3339(c.not_after),
                subject: &subject,
            })
            .collect(),
        total_count: if q.include_count { total } else { 0 },
    };
    serde_json::to_string(&out).unwrap_or_default()
}

#[derive(serde::Serialize)]
struct Link {
    href: String,
    rel: &'static str,
}

struct Rfc3339(jiff::Timestamp);

impl serde::Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&atlas_client::time_format::IsoUtc(self.0))
    }
}

/// RFC 2253 escaping of one attribute value.
fn escape_rdn_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let last = v.chars().count().saturating_sub(1);
    for (i, c) in v.chars().enumerate() {
        let edge = (i == 0 && (c == ' ' || c == '#')) || (i == last && c == ' ');
        if edge || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Paging as Atlas does it, quirks included: `includeCount=false` answers
/// `totalCount: 0` and no `next` link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    pub page_num: usize,
    pub items_per_page: usize,
    pub include_count: bool,
}

impl PageQuery {
    pub fn parse(raw: Option<&str>) -> Result<Self, SimError> {
        let mut q = PageQuery {
            page_num: 1,
            items_per_page: 100,
            include_count: true,
        };
        for (k, val) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "pageNum" => {
                    q.page_num = val
                        .parse()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| SimError::invalid_query("pageNum"))?;
                }
                "itemsPerPage" => {
                    q.items_per_page = val
                        .parse()
                        .ok()
                        .filter(|n| (1..=500).contains(n))
                        .ok_or_else(|| SimError::invalid_query("itemsPerPage"))?;
                }
                "includeCount" => {
                    q.include_count = match val.as_ref() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(SimError::invalid_query("includeCount")),
                    };
                }
                _ => {}
            }
        }
        Ok(q)
    }

    fn href(&self, base: &str, path: &str, page_num: usize) -> String {
        format!(
            "{base}{path}?includeCount={}&pageNum={page_num}&itemsPerPage={}",
            self.include_count, self.items_per_page
        )
    }

    /// Where the page starts and ends in a list of `total` items.
    pub fn bounds(&self, total: usize) -> (usize, usize) {
        let start = (self.page_num - 1)
            .saturating_mul(self.items_per_page)
            .min(total);
        (start, start.saturating_add(self.items_per_page).min(total))
    }

    /// `previous` (past page 1), `self`, and `next` (when counted and
    /// there is more).
    fn links(&self, base: &str, path: &str, total: usize) -> Vec<Link> {
        let end = self.bounds(total).1;
        let mut links = Vec::with_capacity(3);
        if self.page_num > 1 {
            links.push(Link {
                href: self.href(base, path, self.page_num - 1),
                rel: "previous",
            });
        }
        links.push(Link {
            href: self.href(base, path, self.page_num),
            rel: "self",
        });
        if self.include_count && end < total {
            links.push(Link {
                href: self.href(base, path, self.page_num + 1),
                rel: "next",
            });
        }
        links
    }

    /// One page of a list of `total` items: only the page's items are
    /// rendered (a slice iterator skips in constant time).
    pub fn page<T>(
        &self,
        total: usize,
        items: impl Iterator<Item = T>,
        base: &str,
        path: &str,
        render: impl Fn(&T) -> Value,
    ) -> Value {
        let (start, end) = self.bounds(total);
        let results: Vec<Value> = items
            .skip(start)
            .take(end - start)
            .map(|i| render(&i))
            .collect();
        let links: Vec<Value> = self
            .links(base, path, total)
            .into_iter()
            .map(|l| json!({ "href": l.href, "rel": l.rel }))
            .collect();
        json!({
            "links": links,
            "results": results,
            "totalCount": if self.include_count { total } else { 0 },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_links_and_quirks() {
        let q = PageQuery::parse(Some("pageNum=2&itemsPerPage=2")).unwrap();
        let v = q.page(5, 0..5, "http://h", "/p", |n| json!(n));
        assert_eq!(v["results"], json!([2, 3]));
        assert_eq!(v["totalCount"], 5);
        let rels: Vec<_> = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["rel"].as_str().unwrap())
            .collect();
        assert_eq!(rels, ["previous", "self", "next"]);
        let q = PageQuery::parse(Some("includeCount=false&itemsPerPage=2")).unwrap();
        let v = q.page(5, 0..5, "http://h", "/p", |n| json!(n));
        assert_eq!(v["totalCount"], 0);
        assert_eq!(v["links"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn bad_paging_parameters() {
        for bad in [
            "pageNum=0",
            "itemsPerPage=501",
            "itemsPerPage=0",
            "pageNum=x",
            "includeCount=maybe",
        ] {
            assert_eq!(
                PageQuery::parse(Some(bad)).unwrap_err().code,
                "INVALID_QUERY_PARAMETER",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_cert_page_is_byte_for_byte_the_value_rendering() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let certs: Vec<CertRec> = (0..7)
            .map(|i| CertRec {
                serial: u64::MAX - i,
                created_at: t("2026-01-02T03:04:05.678Z"),
                not_after: t("9999-12-30T00:00:00Z"),
            })
            .collect();
        for raw in [
            "pageNum=2&itemsPerPage=3",
            "itemsPerPage=500",
            "includeCount=false&itemsPerPage=2",
        ] {
            let q = PageQuery::parse(Some(raw)).unwrap();
            let user = "CN=a,O=b \\\"#";
            let slow = q
                .page(certs.len(), certs.iter(), "http://h", "/p", |c| {
                    cert(c, "g1", user)
                })
                .to_string();
            let (s, e) = q.bounds(certs.len());
            let fast = cert_page(&q, certs.len(), &certs[s..e], "http://h", "/p", "g1", user);
            assert_eq!(fast, slow, "{raw}");
        }
    }

    #[test]
    fn rdn_escaping() {
        assert_eq!(escape_rdn_value("user389"), "user389");
        assert_eq!(escape_rdn_value("a,b=c"), "a\\,b\\=c");
    }
}
