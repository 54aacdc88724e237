//! `issue`: one certificate, whose key must reach a file or stdout (never
//! be lost), then its deploy hook.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::hook::{self, Delivery, Hook, HookRun};
use super::stop::{self, Stop};
use super::{Ctx, Fail, emit, ts};
use crate::cli::IssueArgs;
use crate::handover::{self, keep_somewhere};
use crate::pem;
use crate::pem::default_pem_name;
use crate::pem::open_dir::OpenDir;
use crate::pem::save::SaveOutcome;
use atlas_client::IssuedPem;

/// Checks the target before anything is sent (a key must not be minted
/// only to find it cannot be written) and opens its directory:
/// the key is written through that handle, so a directory swapped in
/// meanwhile gets nothing. `asked` is the path as typed, whose trailing
/// slash says "a directory"; the name is `None` when the target is the
/// directory itself.
fn precheck_out(
    asked: &Path,
    overwrite: bool,
) -> Result<(PathBuf, OpenDir, Option<std::ffi::OsString>), Fail> {
    let (path, target) = pem::save::target(asked).map_err(Fail::Usage)?;
    let open = |dir: &Path| {
        OpenDir::open(dir).map_err(|e| {
            Fail::Usage(format!(
                "{}: the directory {} cannot be opened: {e}",
                path.display(),
                dir.display()
            ))
        })
    };
    let (dir, name) = match target {
        pem::save::Target::Dir(d) => return Ok((path.clone(), open(&d)?, None)),
        pem::save::Target::File { dir, name } => (dir, name),
    };
    let path = &path;
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(Fail::Usage(format!(
            "{} is a symbolic link; refusing to follow it",
            path.display()
        ))),
        Ok(_) if !overwrite => Err(Fail::Usage(format!(
            "{} exists; pass --overwrite to replace it",
            path.display()
        ))),
        _ => Ok((path.clone(), open(&dir)?, Some(name))),
    }
}

/// Where the key goes: stdout, or a file in a directory opened (and
/// checked) before anything is sent.
enum Target {
    Stdout,
    File(OpenDir, Option<std::ffi::OsString>),
}

pub(super) async fn issue(ctx: &Ctx, a: &IssueArgs, stop: &Stop) -> Result<(), Fail> {
    let project = ctx.project(&a.project).await?;
    let (hook, target) = prepare(a)?;
    let (issued, info) = ask(ctx, a, &project, stop).await?;
    let label = format!("{project}-{}", a.user);
    let (dir, file) = match target {
        Target::Stdout => return to_stdout(a, &issued, &info, &label, stop),
        Target::File(dir, file) => (dir, file),
    };
    let path = save(ctx, a, &issued, &info, &label, (&dir, file))?;
    if let Some(n) = stop.signal() {
        return Err(Fail::Interrupted(
            n,
            format!(
                "stopped by {}: serial {} was written to {} (mode 0600){}",
                stop::name(n),
                info.serial,
                path.display(),
                if hook.is_some() {
                    "; the deploy hook was not run"
                } else {
                    ""
                }
            ),
        ));
    }
    let delivered = match &hook {
        Some(h) => {
            Some(run_issue_hook(ctx, h, &project, &a.user, &path, &info, &issued, stop).await)
        }
        None => None,
    };
    said(ctx, &path, &info, delivered)
}

/// Everything refused before a request is sent: a hook with nowhere to
/// deliver, a stdout nobody reads, an output path that cannot be written.
fn prepare(a: &IssueArgs) -> Result<(Option<Hook>, Target), Fail> {
    let to_stdout = a.out.as_os_str() == "-";
    let hook = match &a.hook.deploy_hook {
        Some(_) if to_stdout => {
            return Err(Fail::Usage(
                "--deploy-hook needs a file to deliver: use --out FILE or DIR, not -".into(),
            ));
        }
        Some(text) => Some(
            Hook::parse(text, a.hook.deploy_hook_shell, a.hook.deploy_hook_timeout)
                .map(|h| Hook {
                    keep_output: a.hook.hook_output,
                    ..h
                })
                .map_err(Fail::Usage)?,
        ),
        None => None,
    };
    if to_stdout && let Some(no) = handover::key_out::nowhere(libc::STDOUT_FILENO) {
        return Err(Fail::Usage(format!(
            "--out -: stdout {no}, so a key written there would reach nobody; nothing was sent (give --out FILE or DIR)"
        )));
    }
    let target = if to_stdout {
        Target::Stdout
    } else {
        let (_, dir, name) = precheck_out(&a.out, a.overwrite)?;
        Target::File(dir, name)
    };
    Ok((hook, target))
}

/// Sent once. A failure is reported, never retried. A signal meanwhile
/// waits for the answer: its key exists nowhere else.
async fn ask(
    ctx: &Ctx,
    a: &IssueArgs,
    project: &str,
    stop: &Stop,
) -> Result<(IssuedPem, atlas_client::inspect::CertInfo), Fail> {
    let what = format!(
        "the certificate request for {}",
        atlas_client::sanitize::line(&a.user, 80)
    );
    let ask = handover::Ask {
        group_id: project,
        username: &a.user,
        months: a.months,
    };
    let Some(answer) = stop::finish(stop, &what, handover::request(&ctx.client, &ask)).await else {
        let n = stop.signal().unwrap_or(libc::SIGTERM);
        return Err(Fail::Interrupted(
            n,
            format!(
                "stopped by {} while waiting for Atlas's answer: if it issued the certificate, nobody holds its key; check `atlas-x509 certs --project {project} --user '{}'`",
                stop::name(n),
                atlas_client::sanitize::line(&a.user, 80)
            ),
        ));
    };
    let label = format!("{project}-{}", a.user);
    answer?.accepted(&a.user).map_err(|(issued, said)| {
        Fail::Io(format!(
            "{said}; {}",
            keep_somewhere(&issued, &label, ctx.json).said
        ))
    })
}

fn to_stdout(
    a: &IssueArgs,
    issued: &IssuedPem,
    info: &atlas_client::inspect::CertInfo,
    label: &str,
    stop: &Stop,
) -> Result<(), Fail> {
    handover::key_out::to_stdout(issued.expose(), a.stdout_timeout).map_err(|why| {
        Fail::Io(format!(
            "issued serial {} but stdout failed ({why}); {}",
            info.serial,
            keep_somewhere(issued, label, true).said
        ))
    })?;
    match stop.signal() {
        Some(n) => Err(Fail::Interrupted(
            n,
            format!(
                "stopped by {} after serial {} was written to stdout",
                stop::name(n),
                info.serial
            ),
        )),
        None => Ok(()),
    }
}

/// Writes the key through the directory opened before the request; a key
/// that cannot go there is kept somewhere and said.
fn save(
    ctx: &Ctx,
    a: &IssueArgs,
    issued: &IssuedPem,
    info: &atlas_client::inspect::CertInfo,
    label: &str,
    (dir, file): (&OpenDir, Option<std::ffi::OsString>),
) -> Result<PathBuf, Fail> {
    let name = file.unwrap_or_else(|| default_pem_name(&a.user, Some(info.serial)).into());
    let (path, why) = match pem::save::save_in(issued, dir, &name, a.overwrite) {
        SaveOutcome::Saved(mut paths) => (paths.remove(0), None),
        SaveOutcome::Exists(p) => (p, Some("it was created meanwhile".to_string())),
        SaveOutcome::Failed(p, why) => (p, Some(why)),
    };
    match why {
        None => Ok(path),
        Some(why) => Err(Fail::Io(format!(
            "issued serial {} but could not save it to {}: {why}; {}",
            info.serial,
            path.display(),
            keep_somewhere(issued, label, ctx.json).said
        ))),
    }
}

/// What was issued and delivered, on stdout; a failed hook is the exit.
fn said(
    ctx: &Ctx,
    path: &Path,
    info: &atlas_client::inspect::CertInfo,
    delivered: Option<HookRun>,
) -> Result<(), Fail> {
    let value = json!({
        "path": path,
        "_id": info.serial,
        "serial": info.serial.to_string(),
        "serialHex": format!("{:X}", info.serial),
        "subject": info.subject,
        "notBefore": ts(Some(info.not_before)),
        "notAfter": ts(Some(info.not_after)),
        "sha256": info.sha256,
        "hook": delivered,
    });
    emit(ctx, &value, || {
        let mut t = format!(
            "issued serial {} for {}, valid until {}\nsaved to {} (mode 0600)\n",
            info.serial,
            atlas_client::sanitize::line(&info.subject, 200),
            ts(Some(info.not_after)),
            path.display()
        );
        if let Some(h) = &delivered {
            t.push_str(&format!("deploy hook: {}\n", h.summary()));
        }
        t
    })?;
    match delivered {
        Some(h) if !h.ok() => {
            let tail = super::hook::output_tail(&h.output, 10);
            Err(Fail::Delivery(format!(
                "delivered partly: serial {} is in {}, but the deploy hook {}{}{}",
                info.serial,
                path.display(),
                h.summary(),
                h.error
                    .as_deref()
                    .map(|e| format!(" ({})", atlas_client::sanitize::line(e, 300)))
                    .unwrap_or_default(),
                if tail.is_empty() {
                    String::new()
                } else {
                    format!("; its output ended with:\n{tail}")
                }
            )))
        }
        _ => Ok(()),
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_issue_hook(
    ctx: &Ctx,
    h: &Hook,
    project: &str,
    user: &str,
    path: &Path,
    info: &atlas_client::inspect::CertInfo,
    issued: &IssuedPem,
    stop: &Stop,
) -> HookRun {
    // The name is for the hook's environment; one GET, after the key is safe.
    let project_name = ctx
        .client
        .get_project(project)
        .await
        .map(|g| g.name)
        .unwrap_or_default();
    let d = Delivery {
        pem: path.to_path_buf(),
        project_id: project.to_string(),
        project_name,
        username: user.to_string(),
        serial: info.serial,
        not_after: info.not_after,
        live: None,
        dry_run: false,
        failure: None,
    };
    let lines = hook::key_lines(issued);
    let secrets: Vec<&str> = lines.iter().map(String::as_str).collect();
    hook::run(h, &d, stop, &secrets).await
}
