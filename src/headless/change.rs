//! The commands that change something: issuing a certificate (whose key
//! must reach a file or stdout, never be lost) and disabling customer X.509
//! (which restarts every cluster, so it is confirmed).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Ctx, Fail, emit, out, ts};
use crate::app::{SaveOutcome, default_pem_name};
use crate::cli::{DisableArgs, IssueArgs};
use crate::pem;

/// Checks the output path before anything is issued: a key must not be
/// minted only to find it cannot be written.
fn precheck_out(path: &Path, overwrite: bool) -> Result<(), Fail> {
    if path.is_dir() {
        return Ok(());
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Fail::Usage(format!(
            "{}: the directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Fail::Usage(format!(
            "{} is a symbolic link; refusing to follow it",
            path.display()
        ))),
        Ok(_) if !overwrite => Err(Fail::Usage(format!(
            "{} exists; pass --overwrite to replace it",
            path.display()
        ))),
        _ => Ok(()),
    }
}

pub(super) async fn issue(ctx: &Ctx, a: &IssueArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project)?;
    let to_stdout = a.out.as_os_str() == "-";
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let target = pem::save::expand_home(&a.out, home.as_deref());
    if !to_stdout {
        precheck_out(&target, a.overwrite)?;
    }
    // Sent once. A failure is reported, never retried.
    let issued = ctx
        .client
        .create_cert(&project, &a.user, i64::from(a.months))
        .await?;
    if to_stdout {
        return out(issued.expose());
    }
    let info = pem::inspect::inspect(&issued);
    let name = default_pem_name(&a.user, info.as_ref().map(|i| i.serial));
    let saved = pem::save::save(&issued, &target, &name, a.overwrite, false);
    let (path, why) = match saved {
        SaveOutcome::Saved(mut paths) => (paths.remove(0), None),
        SaveOutcome::Exists(p) => (p, Some("it was created meanwhile".to_string())),
        SaveOutcome::Failed(p, why) => (p, Some(why)),
    };
    if let Some(why) = why {
        // The key exists nowhere else: hand it over rather than lose it.
        out(issued.expose())?;
        return Err(Fail::Io(format!(
            "the certificate was issued but could not be saved to {}: {why}; its PEM was written to stdout instead",
            path.display()
        )));
    }
    let value = json!({
        "path": path,
        "serial": info.as_ref().map(|i| i.serial),
        "subject": info.as_ref().map(|i| i.subject.clone()),
        "notBefore": info.as_ref().map(|i| ts(Some(i.not_before))),
        "notAfter": info.as_ref().map(|i| ts(Some(i.not_after))),
        "sha256": info.as_ref().map(|i| i.sha256.clone()),
    });
    emit(ctx, value, || match &info {
        Some(i) => format!(
            "issued serial {} for {}, valid until {}\nsaved to {} (mode 0600)\n",
            i.serial,
            i.subject,
            ts(Some(i.not_after)),
            path.display()
        ),
        None => format!("issued; saved to {} (mode 0600)\n", path.display()),
    })
}

pub(super) async fn disable(ctx: &Ctx, a: &DisableArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project)?;
    let group = ctx.client.get_project(&project).await?;
    let sec = ctx.client.get_user_security(&project).await?;
    if !sec.customer_x509.is_configured() {
        return emit(ctx, json!({"projectId": project, "changed": false}), || {
            format!("{} has no customer CA: nothing to disable\n", group.name)
        });
    }
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Fail::Usage(
                "refusing to disable customer X.509 without --yes: stdin is not a terminal".into(),
            ));
        }
        eprintln!(
            "Disabling customer-managed X.509 on {} clears its {} CA certificate(s) and restarts every cluster in the project.",
            group.name,
            sec.customer_x509.ca_count()
        );
        eprint!("Type the project name ({}) to confirm: ", group.name);
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| Fail::Io(e.to_string()))?;
        if line.trim() != group.name {
            return Err(Fail::Usage(
                "the name did not match; nothing was changed".into(),
            ));
        }
    }
    let after = ctx.client.disable_customer_x509(&project).await?;
    emit(
        ctx,
        json!({"projectId": project, "changed": true, "customerX509": {"configured": after.customer_x509.is_configured()}}),
        || {
            format!(
                "customer-managed X.509 disabled on {}; Atlas is restarting its clusters\n",
                group.name
            )
        },
    )
}
