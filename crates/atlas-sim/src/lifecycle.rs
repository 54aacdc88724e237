//! Atlas's rules for the X.509 lifecycle around certificates: creating an
//! X.509 database user and setting a project's customer CA. Pure, like the
//! store: the routes parse, these decide.

use serde_json::{Value, json};

use super::error::SimError;
use super::store::{Store, UserRec};

/// Atlas's default cap on database users per project.
pub const MAX_USERS_PER_PROJECT: usize = 100;

/// The body of `POST /groups/{id}/databaseUsers`, as far as the rules read it.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub database_name: String,
    pub x509_type: String,
    pub roles: Vec<Value>,
    pub scopes: Vec<Value>,
    pub labels: Vec<Value>,
    pub description: Option<String>,
    pub has_password: bool,
    pub ldap_auth_type: String,
    pub temporary: bool,
}

impl NewUser {
    pub fn from_json(v: &Value) -> Result<Self, SimError> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let list = |k: &str| match v.get(k) {
            None | Some(Value::Null) => Ok(vec![]),
            Some(Value::Array(a)) => Ok(a.clone()),
            Some(_) => Err(SimError::validation(&format!("{k} must be an array"))),
        };
        let username =
            text("username").ok_or_else(|| SimError::validation("username is required"))?;
        let database_name =
            text("databaseName").ok_or_else(|| SimError::validation("databaseName is required"))?;
        Ok(Self {
            username,
            database_name,
            x509_type: text("x509Type").unwrap_or_else(|| "NONE".into()),
            roles: list("roles")?,
            scopes: list("scopes")?,
            labels: list("labels")?,
            description: text("description"),
            has_password: v.get("password").is_some_and(|p| !p.is_null()),
            ldap_auth_type: text("ldapAuthType").unwrap_or_else(|| "NONE".into()),
            temporary: v.get("deleteAfterDate").is_some_and(|d| !d.is_null()),
        })
    }
}

/// Atlas-managed X.509 names are plain names or `CN=<name>`, nothing more.
fn managed_name_ok(name: &str) -> bool {
    if !name.contains('=') {
        return true;
    }
    name.strip_prefix("CN=")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains([',', '+', '=', ';']))
}

/// A customer X.509 name is an RFC 2253 DN: `attr=value` parts.
fn dn_ok(name: &str) -> bool {
    name.split(',').all(|rdn| {
        rdn.split_once('=')
            .is_some_and(|(k, v)| !k.trim().is_empty() && !v.is_empty())
    })
}

impl Store {
    pub fn create_user(&mut self, group_id: &str, new: NewUser) -> Result<&UserRec, SimError> {
        let project = self.project(group_id)?;
        let name = new.username.as_str();
        check_new_user(&new)?;
        if project.users.iter().any(|u| u.username == name) {
            return Err(SimError::new(
                409,
                "USER_ALREADY_EXISTS",
                format!("A user with username {name} already exists."),
                vec![json!(name)],
            ));
        }
        if project.users.len() >= MAX_USERS_PER_PROJECT {
            return Err(SimError::new(
                403,
                "GROUP_USERS_LIMIT_EXCEEDED",
                format!("Groups can contain at most {MAX_USERS_PER_PROJECT} database users."),
                vec![json!(MAX_USERS_PER_PROJECT)],
            ));
        }
        let project = self.project_mut(group_id)?;
        project.users.push(UserRec {
            username: new.username,
            database_name: new.database_name,
            x509_type: new.x509_type,
            ldap_auth_type: "NONE".into(),
            oidc_auth_type: "NONE".into(),
            roles: new.roles,
            scopes: new.scopes,
            labels: new.labels,
            description: new.description,
            certs: vec![],
        });
        Ok(project.users.last().expect("just pushed"))
    }

    /// `PATCH userSecurity` with `customerX509.cas`: the bundle must parse
    /// and hold only unexpired certificates; then MANAGED issuance stops.
    pub fn set_customer_cas(
        &mut self,
        group_id: &str,
        cas: &str,
        now: jiff::Timestamp,
    ) -> Result<&super::store::ProjectRec, SimError> {
        self.project(group_id)?;
        let parsed = atlas_client::bundle::parse(cas).map_err(|why| SimError::validation(&why))?;
        if parsed.iter().any(|c| c.not_after <= now) {
            return Err(SimError::new(
                400,
                "EXPIRED_X509_CA_CERTIFICATE",
                "The X.509 CA certificate has expired.",
                vec![],
            ));
        }
        let project = self.project_mut(group_id)?;
        project.customer_cas = Some(cas.to_string());
        Ok(project)
    }
}

/// Atlas's rules for a new user, in the order Atlas checks them (each
/// refusal with its documented error code).
fn check_new_user(new: &NewUser) -> Result<(), SimError> {
    let name = new.username.as_str();
    if name.is_empty() || name.len() > 1024 {
        return Err(SimError::validation(
            "username must be 1 to 1024 characters",
        ));
    }
    if !matches!(new.x509_type.as_str(), "NONE" | "MANAGED" | "CUSTOMER") {
        return Err(SimError::validation(
            "x509Type must be NONE, MANAGED or CUSTOMER",
        ));
    }
    let x509 = new.x509_type != "NONE";
    if x509 && new.database_name != "$external" {
        return Err(SimError::new(
            400,
            "DATABASE_NAME_INVALID_EXTERNAL",
            "Database name invalid. Externally authenticated users can only be created on the $external database.",
            vec![],
        ));
    }
    if x509 && new.has_password {
        return Err(SimError::new(
            400,
            "ATLAS_X509_USER_CANNOT_USE_SCRAM",
            "Users cannot be configured for SCRAM and X.509 authentication.",
            vec![],
        ));
    }
    if x509 && new.ldap_auth_type != "NONE" {
        return Err(SimError::new(
            400,
            "ATLAS_X509_USER_CANNOT_USE_LDAP",
            "Users cannot be configured for X.509 and LDAP authentication.",
            vec![],
        ));
    }
    if x509 && new.temporary {
        return Err(SimError::new(
            400,
            "ATLAS_X509_USER_CANNOT_BE_TEMPORARY",
            "X.509 users cannot be temporary.",
            vec![],
        ));
    }
    if new.x509_type == "MANAGED" && !managed_name_ok(name) {
        return Err(SimError::new(
            400,
            "ATLAS_MANAGED_X509_NAME_INVALID",
            format!(
                "The username {name} is invalid for Atlas-managed X.509 user auth. These usernames must take the form CN=<username> with no additional OIDs."
            ),
            vec![json!(name)],
        ));
    }
    if new.x509_type == "CUSTOMER" && !dn_ok(name) {
        return Err(SimError::new(
            400,
            "ATLAS_INVALID_LDAP_NAME",
            format!(
                "The distinguished name specified in the username field, {name}, is not valid according to RFC 2253."
            ),
            vec![json!(name)],
        ));
    }
    if new.roles.is_empty() {
        return Err(SimError::validation("roles must not be empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;

    const G: &str = "5f1e8c1d2a3b4c5d6e7f8091";

    fn store() -> Store {
        let seed = Seed::from_json(&format!(
            r#"{{"orgId":"a0123456789abcdef012345a","projects":[
              {{"id":"{G}","name":"p","created":"2024-01-01T00:00:00Z","users":[
                {{"username":"taken","x509Type":"MANAGED"}}]}}]}}"#
        ))
        .unwrap();
        Store::from_seed(&seed, jiff::Timestamp::now())
    }

    fn body(v: Value) -> NewUser {
        NewUser::from_json(&v).unwrap()
    }

    fn managed(name: &str) -> NewUser {
        body(
            json!({"username": name, "databaseName": "$external", "x509Type": "MANAGED",
                    "roles": [{"roleName": "readWrite", "databaseName": "app"}]}),
        )
    }

    #[test]
    fn a_managed_user_is_created_on_external() {
        let mut s = store();
        let u = s.create_user(G, managed("svc-orders")).unwrap();
        assert_eq!(
            (u.x509_type.as_str(), u.database_name.as_str()),
            ("MANAGED", "$external")
        );
        assert_eq!(s.check_can_issue(G, "svc-orders", Some(3)), Ok(3));
        assert!(s.create_user(G, managed("CN=svc")).is_ok());
    }

    #[test]
    fn atlas_refusals_carry_atlas_codes() {
        let mut s = store();
        let code = |s: &mut Store, u: NewUser| s.create_user(G, u).err().unwrap().code;
        assert_eq!(code(&mut s, managed("taken")), "USER_ALREADY_EXISTS");
        assert_eq!(
            code(&mut s, managed("CN=a,O=acme")),
            "ATLAS_MANAGED_X509_NAME_INVALID"
        );
        let mut u = managed("x");
        u.database_name = "admin".into();
        assert_eq!(code(&mut s, u), "DATABASE_NAME_INVALID_EXTERNAL");
        let mut u = managed("x");
        u.has_password = true;
        assert_eq!(code(&mut s, u), "ATLAS_X509_USER_CANNOT_USE_SCRAM");
        let mut u = managed("x");
        u.temporary = true;
        assert_eq!(code(&mut s, u), "ATLAS_X509_USER_CANNOT_BE_TEMPORARY");
        let mut u = managed("x");
        u.roles.clear();
        assert_eq!(code(&mut s, u), "VALIDATION_ERROR");
        let mut u = managed("no dn");
        u.x509_type = "CUSTOMER".into();
        assert_eq!(code(&mut s, u), "ATLAS_INVALID_LDAP_NAME");
        assert_eq!(
            s.create_user("nothex", managed("y")).err().unwrap().code,
            "INVALID_GROUP_ID"
        );
    }

    #[test]
    fn a_project_holds_at_most_a_hundred_users() {
        let mut s = store();
        for i in 1..MAX_USERS_PER_PROJECT {
            s.create_user(G, managed(&format!("u{i}"))).unwrap();
        }
        assert_eq!(
            s.create_user(G, managed("one-more")).err().unwrap().code,
            "GROUP_USERS_LIMIT_EXCEEDED"
        );
    }

    #[test]
    fn a_customer_ca_stops_managed_issuance() {
        let mut s = store();
        let now = jiff::Timestamp::now();
        assert_eq!(
            s.set_customer_cas(G, "not pem", now).err().unwrap().code,
            "VALIDATION_ERROR"
        );
        let ca = atlas_client::bundle::test_ca("Acme Root", true, 365);
        s.set_customer_cas(G, &ca, now).unwrap();
        assert_eq!(
            s.check_can_issue(G, "taken", Some(3)).err().unwrap().code,
            "CANNOT_GENERATE_CERT_IF_ADVANCED_X509"
        );
        let later: jiff::Timestamp = "2100-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            s.set_customer_cas(G, &ca, later).err().unwrap().code,
            "EXPIRED_X509_CA_CERTIFICATE"
        );
    }
}
