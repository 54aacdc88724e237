//! Database user roles as typed on a command line or in the create form:
//! `readWrite@app`, `readAnyDatabase`. Built-in roles are checked against
//! where Atlas grants them; other names are custom roles.

use super::Role;

/// Cluster-wide built-in roles: granted on `admin`, written without a database.
pub const CLUSTER_ROLES: &[&str] = &[
    "atlasAdmin",
    "readWriteAnyDatabase",
    "readAnyDatabase",
    "dbAdminAnyDatabase",
    "clusterMonitor",
    "backup",
    "enableSharding",
];

/// Built-in roles granted on one database, which must be named.
pub const DATABASE_ROLES: &[&str] = &["read", "readWrite", "dbAdmin", "dbOwner"];

/// `role`, `role@db`: the role Atlas is sent, or why it cannot be.
pub fn parse(spec: &str) -> Result<Role, String> {
    let spec = spec.trim();
    let (name, db) = match spec.split_once('@') {
        Some((n, d)) => (n.trim(), Some(d.trim())),
        None => (spec, None),
    };
    if name.is_empty() || name.chars().any(crate::sanitize::is_unsafe) {
        return Err(format!(
            "{spec:?} is not a role: write role@database, e.g. readWrite@app"
        ));
    }
    if db.is_some_and(str::is_empty) {
        return Err(format!(
            "{spec:?}: write the database after @, e.g. {name}@app"
        ));
    }
    // MongoDB's own rule for database names, and nothing a terminal obeys.
    if db.is_some_and(|d| {
        d.len() > 64
            || d.contains(['/', '\\', '.', ' ', '"', '$', '*', '<', '>', ':', '|', '?'])
            || d.chars()
                .any(|c| crate::sanitize::is_unsafe(c) || c == '\0')
    }) {
        return Err(format!(
            "{spec:?}: the database name after @ is not a valid one"
        ));
    }
    let role = |db: &str| Role {
        role_name: name.to_string(),
        database_name: db.to_string(),
        collection_name: None,
    };
    if CLUSTER_ROLES.contains(&name) {
        return match db {
            None | Some("admin") => Ok(role("admin")),
            Some(d) => Err(format!(
                "{name} is cluster-wide and granted on admin, not {d}: write it without @{d}"
            )),
        };
    }
    match db {
        Some(d) => Ok(role(d)),
        None if DATABASE_ROLES.contains(&name) => {
            Err(format!("{name} needs a database: write {name}@DATABASE"))
        }
        // A custom role: Atlas defines those on admin.
        None => Ok(role("admin")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_land_where_atlas_grants_them() {
        let r = parse("readWrite@app").unwrap();
        assert_eq!(
            (r.role_name.as_str(), r.database_name.as_str()),
            ("readWrite", "app")
        );
        assert_eq!(parse("readAnyDatabase").unwrap().database_name, "admin");
        assert_eq!(parse("atlasAdmin@admin").unwrap().database_name, "admin");
        assert_eq!(parse("myCustomRole").unwrap().database_name, "admin");
        assert!(parse("readWrite").unwrap_err().contains("needs a database"));
        assert!(
            parse("readAnyDatabase@app")
                .unwrap_err()
                .contains("cluster-wide")
        );
        assert!(parse("@app").is_err());
        assert!(parse("read@").is_err());
        assert!(parse("read@a/b").is_err());
    }

    #[test]
    fn a_database_name_is_checked_as_mongodb_does() {
        assert!(parse("read@app\u{1b}[31m").is_err());
        assert!(parse("read@a:b").is_err());
        assert!(parse(&format!("read@{}", "d".repeat(65))).is_err());
        assert!(parse("read\u{9b}x@app").is_err());
        assert!(parse("read@app_1").is_ok());
    }
}
