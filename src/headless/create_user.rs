//! `create-user`: an X.509 database user (MANAGED or CUSTOMER) on
//! `$external`, its name checked for the kind before anything is sent.

use serde_json::json;

use super::{Ctx, Fail, emit};
use crate::cli::{CreateUserArgs, X509Kind};
use atlas_client::sanitize::line;
use atlas_client::{NewX509User, X509Type, roles};

pub(super) async fn create_user(ctx: &Ctx, a: &CreateUserArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project).await?;
    let roles = a
        .roles
        .iter()
        .map(|r| roles::parse(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Fail::Usage)?;
    let x509_type = match a.x509 {
        X509Kind::Managed => X509Type::Managed,
        X509Kind::Customer => X509Type::Customer,
    };
    match a.x509 {
        X509Kind::Managed => atlas_client::usernames::check_managed(&a.username),
        X509Kind::Customer => atlas_client::usernames::check_customer(&a.username),
    }
    .map_err(|why| Fail::Usage(format!("{why}; nothing was sent")))?;
    let new = NewX509User {
        username: a.username.clone(),
        x509_type,
        roles,
    };
    // Sent once: a lost answer is reported, never retried.
    let made = ctx.client.create_x509_user(&project, &new).await?;
    let roles: Vec<String> = made
        .roles
        .iter()
        .map(|r| format!("{}@{}", r.role_name, r.database_name))
        .collect();
    let next = (made.x509_type == X509Type::Managed).then(|| {
        format!(
            "atlas-x509 issue --project {project} --user '{}' --months 3 --out {}",
            made.username.replace('\'', r"'\''"),
            crate::pem::default_pem_name(&made.username, None)
        )
    });
    emit(
        ctx,
        &json!({
            "projectId": project,
            "username": made.username,
            "databaseName": made.database_name,
            "x509Type": made.x509_type.as_str(),
            "roles": roles,
            "next": next,
        }),
        || {
            let mut t = format!(
                "created {} X.509 user {} on {} with {}\n",
                made.x509_type.as_str(),
                line(&made.username, 200),
                line(&made.database_name, 60),
                line(&roles.join(", "), 300)
            );
            if let Some(next) = &next {
                t.push_str(&format!(
                    "issue its first certificate:\n  {}\n",
                    line(next, 400)
                ));
            }
            t
        },
    )
}
