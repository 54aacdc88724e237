//! The simulator's data and Atlas's rules over it. Pure: no I/O, no clock
//! (callers pass `now`), so every rule is unit-tested here.

use std::sync::Arc;

use jiff::{Span, Timestamp, ToSpan, tz::TimeZone};
use serde_json::Value;

use super::ca::ProjectCa;
use super::error::SimError;
use super::seed::{Seed, SeedCert};

pub struct Store {
    pub org_id: String,
    pub projects: Vec<ProjectRec>,
}

pub struct ProjectRec {
    pub id: String,
    pub name: String,
    pub created: Timestamp,
    pub cluster_count: u64,
    pub tags: Vec<Value>,
    pub customer_cas: Option<String>,
    pub ldap: Option<Value>,
    pub users: Vec<UserRec>,
    /// The project's Atlas-managed CA, made on first issuance.
    pub ca: Option<Arc<ProjectCa>>,
}

pub struct UserRec {
    pub username: String,
    pub database_name: String,
    pub x509_type: String,
    pub ldap_auth_type: String,
    pub oidc_auth_type: String,
    pub roles: Vec<Value>,
    pub scopes: Vec<Value>,
    pub labels: Vec<Value>,
    pub description: Option<String>,
    /// Oldest first.
    pub certs: Vec<CertRec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertRec {
    pub serial: u64,
    pub created_at: Timestamp,
    pub not_after: Timestamp,
}

impl Store {
    pub fn from_seed(seed: &Seed, now: Timestamp) -> Self {
        let projects = seed
            .projects
            .iter()
            .map(|p| ProjectRec {
                id: p.id.clone(),
                name: p.name.clone(),
                created: p.created,
                cluster_count: p.cluster_count,
                tags: p.tags.clone(),
                customer_cas: p.user_security.customer_x509_cas.clone(),
                ldap: p.user_security.ldap.clone(),
                ca: None,
                users: p
                    .users
                    .iter()
                    .map(|u| {
                        let x509 = u.x509_type != "NONE";
                        let mut certs: Vec<CertRec> = u
                            .certs
                            .iter()
                            .enumerate()
                            .map(|(i, c)| seeded_cert(c, now, &p.id, &u.username, i as u64))
                            .collect();
                        if let Some(b) = &u.bulk_certs {
                            let step = f64::from(b.spread_days) / f64::from(b.count.max(1));
                            certs.extend((0..b.count).map(|i| {
                                let c = SeedCert {
                                    serial: None,
                                    age_days: f64::from(b.spread_days) - step * f64::from(i),
                                    months: b.months,
                                };
                                seeded_cert(&c, now, &p.id, &u.username, 1_000_000 + u64::from(i))
                            }));
                        }
                        certs.sort_by_key(|c| c.created_at);
                        UserRec {
                            username: u.username.clone(),
                            database_name: u
                                .database_name
                                .clone()
                                .unwrap_or_else(|| if x509 { "$external" } else { "admin" }.into()),
                            x509_type: u.x509_type.clone(),
                            ldap_auth_type: u
                                .ldap_auth_type
                                .clone()
                                .unwrap_or_else(|| "NONE".into()),
                            oidc_auth_type: u
                                .oidc_auth_type
                                .clone()
                                .unwrap_or_else(|| "NONE".into()),
                            roles: u.roles.clone(),
                            scopes: u.scopes.clone(),
                            labels: u.labels.clone(),
                            description: u.description.clone(),
                            certs,
                        }
                    })
                    .collect(),
            })
            .collect();
        Self {
            org_id: seed.org_id.clone(),
            projects,
        }
    }

    pub fn project(&self, id: &str) -> Result<&ProjectRec, SimError> {
        if atlas_client::validate_group_id(id).is_err() {
            return Err(SimError::invalid_group_id(id));
        }
        self.projects
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| SimError::group_not_found(id))
    }

    pub(super) fn project_mut(&mut self, id: &str) -> Result<&mut ProjectRec, SimError> {
        self.project(id)?;
        Ok(self
            .projects
            .iter_mut()
            .find(|p| p.id == id)
            .expect("just found"))
    }

    pub fn user(&self, group_id: &str, username: &str) -> Result<&UserRec, SimError> {
        self.project(group_id)?
            .users
            .iter()
            .find(|u| u.username == username)
            .ok_or_else(|| SimError::user_not_found(username))
    }

    /// A user by database and name, as `GET .../databaseUsers/{db}/{user}`.
    pub fn user_in(&self, group_id: &str, db: &str, username: &str) -> Result<&UserRec, SimError> {
        self.project(group_id)?
            .users
            .iter()
            .find(|u| u.username == username && u.database_name == db)
            .ok_or_else(|| SimError::user_not_found(username))
    }

    pub fn delete_user(
        &mut self,
        group_id: &str,
        db: &str,
        username: &str,
    ) -> Result<(), SimError> {
        self.user_in(group_id, db, username)?;
        self.project_mut(group_id)?
            .users
            .retain(|u| !(u.username == username && u.database_name == db));
        Ok(())
    }

    /// Atlas lists unexpired certificates only, oldest first.
    pub fn valid_certs(
        &self,
        group_id: &str,
        username: &str,
        now: Timestamp,
    ) -> Result<impl Iterator<Item = &CertRec> + Clone, SimError> {
        Ok(self
            .user(group_id, username)?
            .certs
            .iter()
            .filter(move |c| c.not_after > now))
    }

    /// Every reason Atlas gives for refusing to issue, in the order it checks.
    /// `months` is `None` when the body left it out (Atlas's default is 3).
    pub fn check_can_issue(
        &self,
        group_id: &str,
        username: &str,
        months: Option<i64>,
    ) -> Result<u32, SimError> {
        let project = self.project(group_id)?;
        let user = self.user(group_id, username)?;
        let months = months.unwrap_or(3);
        if months > 24 {
            return Err(SimError::new(
                400,
                "CERT_EXPIRY_CANNOT_EXCEED_TWO_YEARS",
                "Atlas-generated X.509 certificates have a maximum expiration of 24 months.",
                vec![],
            ));
        }
        if months < 1 {
            return Err(SimError::validation(
                "monthsUntilExpiration must be at least 1",
            ));
        }
        if user.x509_type != "MANAGED" {
            return Err(SimError::new(
                400,
                "USER_NOT_MANAGED_X509",
                "The user does not have managed mode X509 enabled.",
                vec![],
            ));
        }
        if project.customer_cas.is_some() {
            return Err(SimError::new(
                400,
                "CANNOT_GENERATE_CERT_IF_ADVANCED_X509",
                "The user cannot create managed X.509 certs if advanced mode is on.",
                vec![],
            ));
        }
        Ok(months as u32)
    }

    pub fn record_cert(
        &mut self,
        group_id: &str,
        username: &str,
        cert: CertRec,
    ) -> Result<(), SimError> {
        let project = self.project_mut(group_id)?;
        let user = project
            .users
            .iter_mut()
            .find(|u| u.username == username)
            .ok_or_else(|| SimError::user_not_found(username))?;
        let at = user
            .certs
            .partition_point(|c| c.created_at <= cert.created_at);
        user.certs.insert(at, cert);
        Ok(())
    }

    pub fn set_ca(
        &mut self,
        group_id: &str,
        ca: Arc<ProjectCa>,
    ) -> Result<Arc<ProjectCa>, SimError> {
        let project = self.project_mut(group_id)?;
        Ok(project.ca.get_or_insert(ca).clone())
    }

    pub fn disable_customer_x509(&mut self, group_id: &str) -> Result<&ProjectRec, SimError> {
        let project = self.project_mut(group_id)?;
        project.customer_cas = None;
        Ok(project)
    }
}

/// notBefore is an hour before issuance, as Atlas does; the list's
/// `createdAt` equals notBefore.
pub fn issuance_window(now: Timestamp, months: u32) -> (Timestamp, Timestamp) {
    let now = now.round(jiff::Unit::Second).unwrap_or(now);
    let not_before = now - 1.hour();
    let not_after = now
        .to_zoned(TimeZone::UTC)
        .checked_add(Span::new().months(i64::from(months)))
        .map(|z| z.timestamp())
        .unwrap_or(now);
    (not_before, not_after)
}

fn seeded_cert(c: &SeedCert, now: Timestamp, project: &str, user: &str, index: u64) -> CertRec {
    let issued_at = now - Span::new().seconds((c.age_days * 86_400.0) as i64);
    let (created_at, not_after) = issuance_window(issued_at, c.months);
    CertRec {
        serial: c
            .serial
            .unwrap_or_else(|| stable_serial(project, user, index)),
        created_at,
        not_after,
    }
}

/// A positive 63-bit serial that is the same on every run for the same seed entry.
fn stable_serial(project: &str, user: &str, index: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in project.bytes().chain(user.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = h.wrapping_add(index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z & (u64::MAX >> 1)).max(1)
}

/// A fresh random positive 63-bit serial.
pub fn random_serial() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("OS randomness");
    (u64::from_be_bytes(b) & (u64::MAX >> 1)).max(1)
}

pub fn rfc3339(t: Timestamp) -> String {
    atlas_client::time_format::IsoUtc(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: &str = "5f1e8c1d2a3b4c5d6e7f8091";

    fn store(now: Timestamp) -> Store {
        let seed = Seed::from_json(&format!(
            r#"{{"orgId":"a0123456789abcdef012345a","projects":[
              {{"id":"{G}","name":"p","created":"2024-01-01T00:00:00Z","users":[
                {{"username":"m","x509Type":"MANAGED","certs":[
                   {{"ageDays":200,"months":3}},{{"ageDays":10,"months":3}},{{"ageDays":40,"months":6}}]}},
                {{"username":"CN=c,O=x","x509Type":"CUSTOMER"}},
                {{"username":"n","x509Type":"NONE"}},
                {{"username":"bulk","x509Type":"MANAGED","bulkCerts":{{"count":1201,"months":24,"spreadDays":600}}}}]}},
              {{"id":"6a793f60c0eb9e7a17714c68","name":"q","created":"2024-01-01T00:00:00Z",
                "userSecurity":{{"customerX509Cas":"-----BEGIN CERTIFICATE-----\n"}},
                "users":[{{"username":"m","x509Type":"MANAGED"}}]}}]}}"#
        ))
        .unwrap();
        Store::from_seed(&seed, now)
    }

    #[test]
    fn lists_unexpired_oldest_first() {
        let now: Timestamp = "2026-11-22T12:00:00Z".parse().unwrap();
        let s = store(now);
        let certs: Vec<_> = s.valid_certs(G, "m", now).unwrap().collect();
        assert_eq!(certs.len(), 2, "the 200-day-old 3-month cert has expired");
        assert!(certs[0].created_at < certs[1].created_at);
        assert_eq!(s.valid_certs(G, "bulk", now).unwrap().count(), 1201);
    }

    #[test]
    fn issuance_rules() {
        let now = Timestamp::now();
        let s = store(now);
        assert_eq!(s.check_can_issue(G, "m", None), Ok(3));
        assert_eq!(
            s.check_can_issue(G, "m", Some(25)).unwrap_err().code,
            "CERT_EXPIRY_CANNOT_EXCEED_TWO_YEARS"
        );
        assert_eq!(
            s.check_can_issue(G, "m", Some(0)).unwrap_err().code,
            "VALIDATION_ERROR"
        );
        assert_eq!(
            s.check_can_issue(G, "CN=c,O=x", Some(3)).unwrap_err().code,
            "USER_NOT_MANAGED_X509"
        );
        assert_eq!(
            s.check_can_issue(G, "n", Some(3)).unwrap_err().code,
            "USER_NOT_MANAGED_X509"
        );
        assert_eq!(
            s.check_can_issue(G, "ghost", Some(3)).unwrap_err().code,
            "USERNAME_NOT_FOUND"
        );
        assert_eq!(
            s.check_can_issue("6a793f60c0eb9e7a17714c68", "m", Some(3))
                .unwrap_err()
                .code,
            "CANNOT_GENERATE_CERT_IF_ADVANCED_X509"
        );
        assert_eq!(
            s.check_can_issue("111111111111111111111111", "m", Some(3))
                .unwrap_err()
                .code,
            "GROUP_NOT_FOUND"
        );
        assert_eq!(
            s.check_can_issue("nothex", "m", Some(3)).unwrap_err().code,
            "INVALID_GROUP_ID"
        );
    }

    #[test]
    fn disabling_customer_x509_allows_managed_certs() {
        let mut s = store(Timestamp::now());
        let q = "6a793f60c0eb9e7a17714c68";
        assert!(s.check_can_issue(q, "m", Some(3)).is_err());
        assert!(s.disable_customer_x509(q).unwrap().customer_cas.is_none());
        assert_eq!(s.check_can_issue(q, "m", Some(3)), Ok(3));
    }

    #[test]
    fn recorded_certs_keep_order() {
        let now = Timestamp::now();
        let mut s = store(now);
        let (nb, na) = issuance_window(now, 6);
        s.record_cert(
            G,
            "m",
            CertRec {
                serial: 42,
                created_at: nb,
                not_after: na,
            },
        )
        .unwrap();
        let last = s.valid_certs(G, "m", now).unwrap().last().unwrap();
        assert_eq!(last.serial, 42);
    }

    #[test]
    fn window_matches_atlas() {
        let now: Timestamp = "2026-08-10T03:06:35.4Z".parse().unwrap();
        let (nb, na) = issuance_window(now, 3);
        assert_eq!(rfc3339(nb), "2026-08-10T02:06:35Z");
        assert_eq!(rfc3339(na), "2026-11-10T03:06:35Z");
        let (_, na) = issuance_window("2026-01-31T00:00:00Z".parse().unwrap(), 1);
        assert_eq!(
            rfc3339(na),
            "2026-02-28T00:00:00Z",
            "month arithmetic clamps"
        );
    }

    #[test]
    fn serials_are_positive_63_bit_and_stable() {
        for i in 0..1000 {
            let s = stable_serial(G, "bulk", i);
            assert!(s > 0 && s < (1 << 63));
            assert_eq!(s, stable_serial(G, "bulk", i));
        }
        assert!(random_serial() < (1 << 63));
    }
}
