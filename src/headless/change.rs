//! The commands that change something: issuing a certificate (whose key
//! must reach a file or stdout, never be lost) and disabling customer X.509
//! (which restarts every cluster, so it is confirmed).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::{Ctx, Fail, emit, out, ts};
use crate::atlas::IssuedPem;
use crate::cli::{DisableArgs, IssueArgs};
use crate::pem;
use crate::pem::default_pem_name;
use crate::pem::save::SaveOutcome;

/// Checks the output path before anything is issued: a key must not be
/// minted only to find it cannot be written. `asked` is the path as typed,
/// whose trailing slash says "a directory".
fn precheck_out(asked: &Path, path: &Path, overwrite: bool) -> Result<(), Fail> {
    if path.is_dir() {
        return Ok(());
    }
    if asked.as_os_str().to_string_lossy().ends_with('/') {
        return Err(Fail::Usage(format!(
            "{}: no such directory (it is not created; make it first)",
            asked.display()
        )));
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

/// The key could not go where it was asked: the rescue file, else stdout.
/// Returns the truthful end of the story, for the last message.
pub(super) fn keep_somewhere(pem: &IssuedPem, label: &str, stdout_ok: bool) -> String {
    match pem::rescue::write(pem, label, None) {
        Ok(path) => format!(
            "the PEM with its private key was kept in {} (mode 0600)",
            path.display()
        ),
        Err(why) if stdout_ok => match out(pem.expose()) {
            Ok(()) => {
                format!("no rescue file could be written ({why}); the PEM was written to stdout")
            }
            Err(e) => format!(
                "no rescue file could be written ({why}) and stdout failed ({}): the private key is lost",
                e.message()
            ),
        },
        Err(why) => format!("no rescue file could be written ({why}): the private key is lost"),
    }
}

pub(super) async fn issue(ctx: &Ctx, a: &IssueArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project)?;
    let to_stdout = a.out.as_os_str() == "-";
    let target = pem::save::expand_home(&a.out, crate::dirs::home().as_deref());
    if !to_stdout {
        precheck_out(&a.out, &target, a.overwrite)?;
    }
    let into_dir = !to_stdout && target.is_dir();
    // Sent once. A failure is reported, never retried.
    let issued = ctx
        .client
        .create_cert(&project, &a.user, i64::from(a.months))
        .await?;
    let label = format!("{project}-{}", a.user);
    let info = match pem::inspect::verify(&issued) {
        Ok(info) => info,
        Err(why) => {
            return Err(Fail::Io(format!(
                "Atlas accepted the request but {why}, so a certificate may have been issued without a usable key; {}",
                keep_somewhere(&issued, &label, false)
            )));
        }
    };
    if to_stdout {
        return out(issued.expose()).map_err(|e| {
            Fail::Io(format!(
                "issued serial {} but stdout failed ({}); {}",
                info.serial,
                e.message(),
                keep_somewhere(&issued, &label, false)
            ))
        });
    }
    let name = default_pem_name(&a.user, Some(info.serial));
    // A directory checked before the POST is joined here: were it gone
    // meanwhile, its path alone would be taken for the file to write.
    let target = if into_dir { target.join(&name) } else { target };
    let saved = pem::save::save(&issued, &target, &name, a.overwrite, false);
    let (path, why) = match saved {
        SaveOutcome::Saved(mut paths) => (paths.remove(0), None),
        SaveOutcome::Exists(p) => (p, Some("it was created meanwhile".to_string())),
        SaveOutcome::Failed(p, why) => (p, Some(why)),
    };
    if let Some(why) = why {
        return Err(Fail::Io(format!(
            "issued serial {} but could not save it to {}: {why}; {}",
            info.serial,
            path.display(),
            keep_somewhere(&issued, &label, true)
        )));
    }
    let value = json!({
        "path": path,
        "serial": info.serial,
        "subject": info.subject,
        "notBefore": ts(Some(info.not_before)),
        "notAfter": ts(Some(info.not_after)),
        "sha256": info.sha256,
    });
    emit(ctx, &value, || {
        format!(
            "issued serial {} for {}, valid until {}\nsaved to {} (mode 0600)\n",
            info.serial,
            crate::sanitize::line(&info.subject, 200),
            ts(Some(info.not_after)),
            path.display()
        )
    })
}

pub(super) async fn disable(ctx: &Ctx, a: &DisableArgs) -> Result<(), Fail> {
    let project = ctx.project(&a.project)?;
    let group = ctx.client.get_project(&project).await?;
    // Shown on a terminal: the server's words, escaped.
    let shown = crate::sanitize::line(&group.name, 200);
    let sec = ctx.client.get_user_security(&project).await?;
    if !sec.customer_x509.is_configured() {
        return emit(
            ctx,
            &json!({"projectId": project, "changed": false}),
            || format!("{shown} has no customer CA: nothing to disable\n"),
        );
    }
    let what = format!(
        "Disabling customer-managed X.509 on {shown} clears its {} CA certificate(s) and restarts every cluster in the project.",
        sec.customer_x509.ca_count()
    );
    super::lifecycle::confirm_by_name(&group.name, &what, a.yes, "disable customer X.509")?;
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
