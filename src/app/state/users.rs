//! A database user as the users pane keeps it: one allocation per user, so
//! a project with 100,000 users fits in a few megabytes.

use atlas_client::{DatabaseUser, X509Type};

/// Username, database and the roles' summary in one string, split by
/// offsets: the pane needs nothing else of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserItem {
    text: Box<str>,
    name_end: u32,
    db_end: u32,
    pub x509_type: X509Type,
}

impl UserItem {
    pub fn new(username: &str, database_name: &str, roles: &str, x509_type: X509Type) -> Self {
        // A field past u32::MAX bytes cannot come from a 16 MiB body; the
        // saturation keeps the offsets in bounds regardless.
        let name_end = u32::try_from(username.len()).unwrap_or(u32::MAX);
        let db_end =
            name_end.saturating_add(u32::try_from(database_name.len()).unwrap_or(u32::MAX));
        let mut text = String::with_capacity(username.len() + database_name.len() + roles.len());
        text.push_str(username);
        text.push_str(database_name);
        text.push_str(roles);
        Self {
            text: text.into_boxed_str(),
            name_end,
            db_end,
            x509_type,
        }
    }

    pub fn username(&self) -> &str {
        &self.text[..self.name_end as usize]
    }

    pub fn database_name(&self) -> &str {
        &self.text[self.name_end as usize..self.db_end as usize]
    }

    /// "readWrite@app +2": the first role and how many more.
    pub fn roles(&self) -> &str {
        &self.text[self.db_end as usize..]
    }
}

fn roles_summary(u: &DatabaseUser) -> String {
    match u.roles.as_slice() {
        [] => String::new(),
        [r] => format!("{}@{}", r.role_name, r.database_name),
        [r, rest @ ..] => format!("{}@{} +{}", r.role_name, r.database_name, rest.len()),
    }
}

impl From<DatabaseUser> for UserItem {
    fn from(u: DatabaseUser) -> Self {
        Self::new(
            &u.username,
            &u.database_name,
            &roles_summary(&u),
            u.x509_type,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_through_one_string() {
        let u: DatabaseUser = serde_json::from_value(serde_json::json!({
            "username": "CN=app,O=acme", "databaseName": "$external", "x509Type": "MANAGED",
            "roles": [{"roleName": "readWrite", "databaseName": "app"},
                      {"roleName": "read", "databaseName": "x"}, {"roleName": "read", "databaseName": "y"}]
        }))
        .unwrap();
        let item = UserItem::from(u);
        assert_eq!(item.username(), "CN=app,O=acme");
        assert_eq!(item.database_name(), "$external");
        assert_eq!(item.roles(), "readWrite@app +2");
        assert_eq!(item.x509_type, X509Type::Managed);
        let multi = UserItem::new("é€", "", "", X509Type::None);
        assert_eq!(
            (multi.username(), multi.database_name(), multi.roles()),
            ("é€", "", "")
        );
    }

    #[test]
    fn small() {
        assert!(std::mem::size_of::<UserItem>() <= 32);
    }
}
