//! The X.509 lifecycle around certificates: creating an X.509 database user
//! and uploading a customer CA (the counterpart of disabling it).

use std::io::IsTerminal;

use serde_json::json;

use super::{Ctx, Fail, emit, ts};
use crate::cli::{CreateUserArgs, EnableArgs, X509Kind};
use atlas_client::bundle;
use atlas_client::sanitize::line;
use atlas_client::{NewX509User, X509Type, roles};

pub(super) async fn create_user(ctx: &Ctx, a: &CreateUserArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project)?;
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

/// Asks for the project's name on a terminal; refuses without one unless
/// `--yes`. `what` says what is about to happen, in full.
pub(super) fn confirm_by_name(
    name: &str,
    what: &str,
    yes: bool,
    flag_verb: &str,
) -> Result<(), Fail> {
    crate::say_err!("{what}");
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Fail::Usage(format!(
            "refusing to {flag_verb} without --yes: stdin is not a terminal"
        )));
    }
    let shown = line(name, 200);
    eprint!("Type the project name ({shown}) to confirm: ");
    let mut typed = String::new();
    std::io::stdin()
        .read_line(&mut typed)
        .map_err(|e| Fail::Io(e.to_string()))?;
    if typed.trim() != name {
        return Err(Fail::Usage(
            "the name did not match; nothing was changed".into(),
        ));
    }
    Ok(())
}

pub(super) async fn enable(ctx: &Ctx, a: &EnableArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project)?;
    let path = crate::pem::save::expand_home(&a.cas, crate::dirs::home().as_deref());
    let text =
        bundle::read_capped(&path).map_err(|e| Fail::Usage(format!("{}: {e}", path.display())))?;
    // Some reasons already say it; once is enough.
    let unsent = |why: String| {
        if why.contains("nothing was sent") {
            format!("{}: {why}", path.display())
        } else {
            format!("{}: {why}; nothing was sent", path.display())
        }
    };
    let cas = bundle::parse(&text).map_err(|e| Fail::Usage(unsent(e.to_string())))?;
    let now = jiff::Timestamp::now();
    if let Some(why) = bundle::refusal(&cas, now) {
        return Err(Fail::Usage(unsent(why.to_string())));
    }
    let group = ctx.client.get_project(&project).await?;
    let before = ctx.client.get_user_security(&project).await?;
    let mut what = format!(
        "Uploading {} to {}:\n",
        bundle::count(cas.len()),
        line(&group.name, 200)
    );
    for c in &cas {
        what.push_str(&format!(
            "  {}  expires {}  sha256 {}…\n",
            line(&c.subject, 200),
            ts(Some(c.not_after)),
            &c.sha256[..c.sha256.len().min(23)]
        ));
    }
    what.push_str(&bundle::upload_effect(before.customer_x509.ca_count()));
    confirm_by_name(&group.name, &what, a.yes, "upload a customer CA")?;
    // Only the certificates parsed, re-encoded: nothing around them is sent.
    let after = ctx
        .client
        .set_customer_x509(&project, &bundle::reencoded(&text))
        .await?;
    let listed: Vec<_> = cas
        .iter()
        .map(|c| json!({"subject": c.subject, "notAfter": ts(Some(c.not_after)), "sha256": c.sha256}))
        .collect();
    emit(
        ctx,
        &json!({
            "projectId": project,
            "changed": true,
            "customerX509": {"configured": after.customer_x509.is_configured(), "cas": listed},
        }),
        || {
            format!(
                "customer-managed X.509 enabled on {} with {}; Atlas is restarting its clusters\n",
                line(&group.name, 200),
                bundle::count(cas.len())
            )
        },
    )
}
