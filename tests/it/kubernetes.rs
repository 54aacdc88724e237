//! The Kubernetes recipe in `contrib/kubernetes`, as far as a machine
//! without a cluster can try it: the manifests rendered by `kubectl
//! kustomize` and decoded by kubectl, their references checked, the
//! CronJob's arguments parsed by our own command line; the deploy hook run
//! after a real rotation with a stand-in `kubectl` that records what it is
//! asked (the Secret itself rendered by the real kubectl, offline).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use clap::Parser as _;
use common::bin::{Home, Out};
use common::*;
use serde_json::Value;

fn recipe() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/kubernetes")
}

fn kubectl(args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut c = Command::new("kubectl")
        .args(args)
        // Never a real cluster's config: everything here is offline.
        .env("KUBECONFIG", "/nonexistent")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl is installed (.ci/run installs kubernetes-client)");
    c.stdin
        .take()
        .unwrap()
        .write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every object of the recipe, as kubectl decodes it.
fn objects() -> Vec<Value> {
    let rendered = kubectl(&["kustomize", recipe().to_str().unwrap()], None);
    rendered
        .split("\n---\n")
        .map(|doc| {
            let json = kubectl(
                &[
                    "annotate",
                    "--local",
                    "-f",
                    "-",
                    "-o",
                    "json",
                    "checked=yes",
                ],
                Some(doc),
            );
            serde_json::from_str(&json).unwrap()
        })
        .collect()
}

fn named<'a>(all: &'a [Value], kind: &str) -> &'a Value {
    all.iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn the_manifests_render_decode_and_hold_together() {
    let all = objects();
    let mut kinds: Vec<&str> = all.iter().map(|o| o["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "ConfigMap",
            "CronJob",
            "PersistentVolumeClaim",
            "Role",
            "RoleBinding",
            "ServiceAccount"
        ]
    );
    let cron = named(&all, "CronJob");
    assert_eq!(cron["apiVersion"], "batch/v1");
    assert!(
        cron["spec"]["schedule"]
            .as_str()
            .unwrap()
            .split(' ')
            .count()
            == 5
    );
    let job = &cron["spec"]["jobTemplate"]["spec"];
    assert_eq!(
        job["backoffLimit"], 0,
        "a creation is never retried by a Job either"
    );
    let pod = &job["template"]["spec"];
    assert_eq!(
        pod["serviceAccountName"],
        named(&all, "ServiceAccount")["metadata"]["name"]
    );
    assert!(matches!(
        pod["restartPolicy"].as_str(),
        Some("Never" | "OnFailure")
    ));
    let volumes = pod["volumes"].as_array().unwrap();
    let volume = |name: &str| {
        volumes
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no volume {name}"))
    };
    let hook_map = named(&all, "ConfigMap");
    assert_eq!(
        hook_map["data"]["deploy-hook.sh"].as_str().unwrap(),
        std::fs::read_to_string(recipe().join("deploy-hook.sh")).unwrap()
    );
    let rb = named(&all, "RoleBinding");
    assert_eq!(
        rb["roleRef"]["name"],
        named(&all, "Role")["metadata"]["name"]
    );
    assert_eq!(rb["subjects"][0]["name"], pod["serviceAccountName"]);
    let containers = pod["containers"].as_array().unwrap();
    let rotate = &containers[0];
    let mut mounts = vec![];
    for c in containers
        .iter()
        .chain(pod["initContainers"].as_array().unwrap())
    {
        for m in c["volumeMounts"].as_array().unwrap() {
            let v = volume(m["name"].as_str().unwrap());
            mounts.push((m["mountPath"].as_str().unwrap().to_string(), v.clone()));
        }
    }
    assert_eq!(
        volume("hooks")["configMap"]["name"],
        hook_map["metadata"]["name"],
        "the hook's ConfigMap, by its generated name"
    );
    assert_eq!(
        volume("keys")["persistentVolumeClaim"]["claimName"],
        named(&all, "PersistentVolumeClaim")["metadata"]["name"]
    );
    // The arguments are ones atlas-x509 takes, and the paths they name are
    // on the volumes mounted.
    let args: Vec<String> = rotate["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let cli = atlas_x509::cli::Cli::try_parse_from(
        std::iter::once("atlas-x509".to_string()).chain(args.iter().cloned()),
    )
    .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let Some(atlas_x509::cli::Command::Rotate(r)) = cli.command else {
        panic!("{args:?}")
    };
    let on_a_volume = |p: &Path| mounts.iter().any(|(m, _)| p.starts_with(m));
    assert!(on_a_volume(&r.out_dir) && on_a_volume(r.report.as_ref().unwrap()));
    let hook = r.hook.deploy_hook.as_deref().unwrap();
    assert_eq!(hook, "/hooks/deploy-hook.sh");
    assert!(r.renew_before.is_some() && r.delay.random_delay.is_some());
}

/// A `kubectl` that records each call (and what `apply` reads), and hands
/// the offline ones (`create … --dry-run=client`, `annotate --local`) to
/// the real kubectl.
fn stand_in(home: &Home) -> (PathBuf, PathBuf) {
    let rec = home.path().join("kubectl-calls");
    std::fs::create_dir_all(&rec).unwrap();
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v kubectl"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let script = home.path().join("kubectl");
    std::fs::write(
        &script,
        format!(
            r#"#!/bin/sh
n=$(ls '{rec}' | grep -c 'args$')
printf '%s\n' "$*" > '{rec}'/call-$n.args
case "$1" in
  create|annotate) KUBECONFIG=/nonexistent exec '{real}' "$@" ;;
  apply) cat > '{rec}'/call-$n.stdin ;;
esac
"#,
            rec = rec.display(),
            real = real.trim()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, rec)
}

/// (args, stdin) of each recorded call, in order.
fn calls(rec: &Path) -> Vec<(String, Option<String>)> {
    let mut n = 0;
    let mut out = vec![];
    while let Ok(args) = std::fs::read_to_string(rec.join(format!("call-{n}.args"))) {
        let stdin = std::fs::read_to_string(rec.join(format!("call-{n}.stdin"))).ok();
        out.push((args.trim().to_string(), stdin));
        n += 1;
    }
    out
}

fn run(home: &Home, h: &atlas_sim::SimHandle, kube: &Path, args: &[&str]) -> Out {
    let mut e = api_key_env(h);
    e.push(("KUBECTL", kube.display().to_string()));
    e.push(("K8S_NAMESPACE", "apps".into()));
    e.push(("K8S_RESTART", "orders-api billing".into()));
    let out = home.run(&pairs(&e), args);
    out.assert_no_panic();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn the_hook_puts_the_certificate_in_a_secret_and_restarts_what_reads_it() {
    let h = sim().await;
    let home = Home::new();
    let (kube, rec) = stand_in(&home);
    let dir = home.private_dir("keys");
    let hook = recipe().join("deploy-hook.sh");
    let o = run(
        &home,
        &h,
        &kube,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "60d",
            "--out-dir",
            dir.to_str().unwrap(),
            "--deploy-hook",
            hook.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    let rows: Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = &rows[0];
    assert_eq!(row["hook"]["status"], "ok", "{row}");
    let pem = std::fs::read_to_string(row["path"].as_str().unwrap()).unwrap();
    let made = calls(&rec);
    let verbs: Vec<&str> = made.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(verbs.len(), 5, "{verbs:#?}");
    let tag: String = {
        use sha2::Digest as _;
        let d = sha2::Sha256::digest(format!("{ORDERS}/svc.orders").as_bytes());
        d.iter().take(4).map(|b| format!("{b:02x}")).collect()
    };
    assert!(
        verbs[0].starts_with(&format!(
            "create secret generic atlas-x509-orders-staging-svc-orders-{tag} --namespace apps"
        )),
        "{}",
        verbs[0]
    );
    assert!(verbs[1].starts_with("annotate --local"));
    assert_eq!(
        verbs[2],
        "apply --server-side --field-manager=atlas-x509 --force-conflicts --namespace apps -f -",
        "server-side: no last-applied annotation holding the key"
    );
    assert_eq!(
        verbs[3],
        "rollout restart deployment/orders-api --namespace apps"
    );
    assert_eq!(
        verbs[4],
        "rollout restart deployment/billing --namespace apps"
    );
    assert!(
        !verbs.iter().any(|v| v.contains("PRIVATE")),
        "the key is never an argument"
    );
    // What was applied: a Secret, decoded by kubectl, holding the file.
    let applied = made[2].1.as_deref().unwrap();
    let secret: Value = serde_json::from_str(&kubectl(
        &[
            "annotate",
            "--local",
            "-f",
            "-",
            "-o",
            "json",
            "checked=yes",
        ],
        Some(applied),
    ))
    .unwrap();
    assert_eq!(secret["kind"], "Secret");
    assert_eq!(secret["metadata"]["namespace"], "apps");
    assert_eq!(
        secret["metadata"]["annotations"]["atlas-x509/serial"],
        row["newSerial"].as_str().unwrap()
    );
    let field = |k: &str| {
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(secret["data"][k].as_str().unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(field("client.pem"), pem);
    assert!(
        field("tls.crt").contains("BEGIN CERTIFICATE") && !field("tls.crt").contains("PRIVATE")
    );
    assert!(field("tls.key").contains("PRIVATE KEY") && !field("tls.key").contains("CERTIFICATE"));
    assert!(!o.err().contains("PRIVATE"), "{}", o.err());

    // A rehearsal: the same Secret, applied with --dry-run=server; no restart.
    std::fs::remove_dir_all(&rec).unwrap();
    std::fs::create_dir_all(&rec).unwrap();
    let o = run(
        &home,
        &h,
        &kube,
        &[
            "rotate",
            "-p",
            "orders-staging",
            "--within",
            "400d",
            "--months",
            "24",
            "--out-dir",
            dir.to_str().unwrap(),
            "--dry-run",
            "--run-hooks",
            "--deploy-hook",
            hook.to_str().unwrap(),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err());
    let verbs: Vec<String> = calls(&rec).into_iter().map(|(a, _)| a).collect();
    assert!(
        verbs
            .iter()
            .any(|v| v
                == "apply --server-side --field-manager=atlas-x509 --force-conflicts --dry-run=server --namespace apps -f -"),
        "{verbs:#?}"
    );
    assert!(
        !verbs.iter().any(|v| v.starts_with("rollout")),
        "{verbs:#?}"
    );
}
