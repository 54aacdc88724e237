//! The simulator's starting data. Certificate times are relative to start-up
//! so that a seed never goes stale: "issued 30 days ago for 3 months".

use jiff::Timestamp;
use serde::Deserialize;

pub const DEFAULT_SEED: &str = include_str!("../seed.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    pub org_id: String,
    pub projects: Vec<SeedProject>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedProject {
    pub id: String,
    pub name: String,
    pub created: Timestamp,
    #[serde(default)]
    pub cluster_count: u64,
    #[serde(default)]
    pub tags: Vec<serde_json::Value>,
    #[serde(default)]
    pub user_security: SeedUserSecurity,
    #[serde(default)]
    pub users: Vec<SeedUser>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUserSecurity {
    /// PEM bundle of the customer CAs; set means self-managed X.509 mode.
    #[serde(default)]
    pub customer_x509_cas: Option<String>,
    #[serde(default)]
    pub ldap: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUser {
    pub username: String,
    /// Defaults to `$external` for X.509 users and `admin` otherwise.
    #[serde(default)]
    pub database_name: Option<String>,
    #[serde(rename = "x509Type")]
    pub x509_type: String,
    #[serde(default)]
    pub ldap_auth_type: Option<String>,
    #[serde(default)]
    pub oidc_auth_type: Option<String>,
    #[serde(default)]
    pub roles: Vec<serde_json::Value>,
    #[serde(default)]
    pub scopes: Vec<serde_json::Value>,
    #[serde(default)]
    pub labels: Vec<serde_json::Value>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub certs: Vec<SeedCert>,
    #[serde(default)]
    pub bulk_certs: Option<BulkCerts>,
}

/// One certificate's metadata (the simulator never had its key).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedCert {
    #[serde(default)]
    pub serial: Option<u64>,
    /// Issued this many days before the simulator started.
    pub age_days: f64,
    pub months: u32,
}

/// Many certificates at once, spread evenly over the last `spread_days`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkCerts {
    pub count: u32,
    pub months: u32,
    pub spread_days: u32,
}

impl Seed {
    pub fn default_seed() -> Self {
        Self::from_json(DEFAULT_SEED).expect("the bundled seed is valid")
    }

    pub fn from_json(text: &str) -> Result<Self, String> {
        let seed: Seed = serde_json::from_str(text).map_err(|e| format!("seed: {e}"))?;
        seed.validate()?;
        Ok(seed)
    }

    fn validate(&self) -> Result<(), String> {
        let mut ids = std::collections::HashSet::new();
        for p in &self.projects {
            if atlas_client::validate_group_id(&p.id).is_err() {
                return Err(format!(
                    "seed: project id {:?} is not 24 hex characters",
                    p.id
                ));
            }
            if !ids.insert(&p.id) {
                return Err(format!("seed: project id {} appears twice", p.id));
            }
            let mut names = std::collections::HashSet::new();
            for u in &p.users {
                if !matches!(u.x509_type.as_str(), "NONE" | "MANAGED" | "CUSTOMER") {
                    return Err(format!(
                        "seed: user {:?} has x509Type {:?}",
                        u.username, u.x509_type
                    ));
                }
                if !names.insert(&u.username) {
                    return Err(format!(
                        "seed: user {:?} appears twice in {}",
                        u.username, p.name
                    ));
                }
                for c in &u.certs {
                    if !(1..=24).contains(&c.months) {
                        return Err(format!(
                            "seed: a cert of {:?} has months {}",
                            u.username, c.months
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_seed_has_what_the_demo_needs() {
        let s = Seed::default_seed();
        assert!(s.projects.len() >= 3);
        assert!(
            s.projects
                .iter()
                .any(|p| p.user_security.customer_x509_cas.is_some())
        );
        assert!(
            s.projects
                .iter()
                .any(|p| p.user_security.customer_x509_cas.is_none())
        );
        for p in &s.projects {
            for t in ["NONE", "MANAGED", "CUSTOMER"] {
                assert!(
                    p.users.iter().any(|u| u.x509_type == t),
                    "{} lacks {t}",
                    p.name
                );
            }
        }
        let users: Vec<_> = s.projects.iter().flat_map(|p| &p.users).collect();
        assert!(users.iter().any(|u| u.x509_type == "CUSTOMER"
            && u.username.starts_with("CN=")
            && u.username.contains(',')));
        assert!(
            users
                .iter()
                .any(|u| u.x509_type == "MANAGED" && u.username.contains('.'))
        );
        assert!(users.iter().any(|u| {
            u.bulk_certs
                .as_ref()
                .is_some_and(|b| b.count >= 1201 && b.months * 30 > b.spread_days)
        }));
    }

    #[test]
    fn rejects_bad_seeds() {
        assert!(Seed::from_json(r#"{"orgId":"a","projects":[{"id":"nothex","name":"x","created":"2024-01-01T00:00:00Z"}]}"#).is_err());
        assert!(Seed::from_json(r#"{"orgId":"a","projects":[],"extra":1}"#).is_err());
    }
}
