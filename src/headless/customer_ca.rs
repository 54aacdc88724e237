//! Customer-managed X.509 on a project: uploading a CA bundle turns it on
//! (or replaces the CAs), disabling clears it; both restart every cluster,
//! so both are confirmed by the project's name.

use std::io::IsTerminal;

use serde_json::json;

use super::{Ctx, Fail, emit, ts};
use crate::cli::{DisableArgs, EnableArgs};
use atlas_client::bundle;
use atlas_client::sanitize::line;

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
    let project = ctx.project(&a.project).await?;
    let path = crate::pem::save::expand_home(&a.cas, crate::dirs::home().as_deref());
    let now = jiff::Timestamp::now();
    let (text, cas) = crate::ca_file::read_checked(&path, now).map_err(Fail::Usage)?;
    let group = ctx.client.get_project(&project).await?;
    let before = ctx.client.get_user_security(&project).await?;
    let mut what = format!(
        "Uploading {} to {}:\n",
        bundle::count(cas.len()),
        line(&group.name, 200)
    );
    for c in &cas {
        what.push_str(&format!("  {}\n", crate::ca_file::describe(c)));
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

pub(super) async fn disable(ctx: &Ctx, a: &DisableArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project).await?;
    let group = ctx.client.get_project(&project).await?;
    // Shown on a terminal: the server's words, escaped.
    let shown = atlas_client::sanitize::line(&group.name, 200);
    let sec = ctx.client.get_user_security(&project).await?;
    if !sec.customer_x509.is_configured() {
        return emit(
            ctx,
            &json!({"projectId": project, "changed": false}),
            || format!("{shown} has no customer CA: nothing to disable\n"),
        );
    }
    let mut what = format!(
        "Disabling customer-managed X.509 on {shown} clears its {} and restarts every cluster in the project.",
        atlas_client::bundle::count(sec.customer_x509.ca_count())
    );
    // What is about to be cleared, so it can be kept first.
    if let Ok(cas) = crate::ca_file::configured(sec.customer_x509.cas.as_deref()) {
        for c in &cas {
            what.push_str(&format!("\n  {}", crate::ca_file::describe(c)));
        }
    }
    confirm_by_name(&group.name, &what, a.yes, "disable customer X.509")?;
    let after = ctx.client.disable_customer_x509(&project).await?;
    emit(
        ctx,
        &json!({"projectId": project, "changed": true, "customerX509": {"configured": after.customer_x509.is_configured()}}),
        || {
            format!(
                "customer-managed X.509 disabled on {shown}; Atlas is restarting its clusters\n"
            )
        },
    )
}
