#!/bin/sh
# atlas-x509 deploy hook: puts the certificate atlas-x509 just wrote into a
# Kubernetes Secret (client.pem, tls.crt, tls.key) with `kubectl apply`,
# and, when asked, restarts the Deployments that use it: MongoDB drivers
# read the certificate file once, at start, and do not reload it.
#
# atlas-x509 sets: ATLAS_X509_PEM (the file: certificate and private key),
# ATLAS_X509_USERNAME, ATLAS_X509_PROJECT_NAME, ATLAS_X509_PROJECT_ID,
# ATLAS_X509_SERIAL, ATLAS_X509_NOT_AFTER, ATLAS_X509_LIVE, and
# ATLAS_X509_DRY_RUN=1 in a rehearsal (`rotate --dry-run --run-hooks`).
#
# Settings, from the environment:
#   K8S_NAMESPACE   the Secret's namespace (default: this pod's, else "default")
#   K8S_SECRET      the Secret's name (default: atlas-x509-<project>-<user>-<tag>,
#                   made a valid Kubernetes name; <tag> is 8 hex digits of the
#                   SHA-256 of "<project id>/<username>", so two users whose
#                   names read alike never share a Secret)
#   K8S_RESTART     Deployments to restart after the Secret changed,
#                   space-separated (default: none)
#   KUBECTL         the kubectl to run (default: kubectl)
#
# The key goes from the file to kubectl's stdin through a private temporary
# directory removed on exit; it is never an argument or printed.
set -eu

: "${ATLAS_X509_PEM:?atlas-x509 sets ATLAS_X509_PEM; run this as its --deploy-hook}"
: "${ATLAS_X509_USERNAME:?atlas-x509 sets ATLAS_X509_USERNAME}"
KUBECTL=${KUBECTL:-kubectl}

if [ -z "${K8S_NAMESPACE:-}" ]; then
  ns_file=/var/run/secrets/kubernetes.io/serviceaccount/namespace
  if [ -r "$ns_file" ]; then K8S_NAMESPACE=$(cat "$ns_file"); else K8S_NAMESPACE=default; fi
fi

# A DNS-1123 name: lowercase letters, digits and '-', at most 63 characters.
dns_name() {
  printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9-' '-' \
    | sed -e 's/--*/-/g' -e 's/^-//' -e 's/-$//' | cut -c1-63 | sed -e 's/-$//'
}
if [ -z "${K8S_SECRET:-}" ]; then
  tag=$(printf '%s/%s' "${ATLAS_X509_PROJECT_ID:-}" "$ATLAS_X509_USERNAME" | sha256sum | cut -c1-8)
  base=$(dns_name "atlas-x509-${ATLAS_X509_PROJECT_NAME:-${ATLAS_X509_PROJECT_ID:-}}-${ATLAS_X509_USERNAME}" \
    | cut -c1-54 | sed -e 's/-$//')
  K8S_SECRET="$base-$tag"
fi

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
# The certificate blocks, then the private key block.
awk '/-----BEGIN CERTIFICATE-----/{c=1} c{print} /-----END CERTIFICATE-----/{c=0}' \
  "$ATLAS_X509_PEM" > "$work/tls.crt"
awk '/-----BEGIN .*PRIVATE KEY-----/{k=1} k{print} /-----END .*PRIVATE KEY-----/{k=0}' \
  "$ATLAS_X509_PEM" > "$work/tls.key"
if [ ! -s "$work/tls.crt" ] || [ ! -s "$work/tls.key" ]; then
  echo "deploy-hook: $ATLAS_X509_PEM holds no certificate and key" >&2
  exit 2
fi

dry=""
if [ "${ATLAS_X509_DRY_RUN:-}" = 1 ]; then
  # A rehearsal: the API server checks everything, nothing changes.
  dry="--dry-run=server"
fi

# The Secret, rendered by kubectl itself (offline), then applied.
"$KUBECTL" create secret generic "$K8S_SECRET" \
    --namespace "$K8S_NAMESPACE" \
    --from-file=client.pem="$ATLAS_X509_PEM" \
    --from-file=tls.crt="$work/tls.crt" \
    --from-file=tls.key="$work/tls.key" \
    --dry-run=client -o yaml > "$work/secret.yaml"
"$KUBECTL" annotate --local -f "$work/secret.yaml" -o yaml \
    atlas-x509/serial="${ATLAS_X509_SERIAL:-}" \
    atlas-x509/not-after="${ATLAS_X509_NOT_AFTER:-}" \
    atlas-x509/username="$ATLAS_X509_USERNAME" > "$work/annotated.yaml"
# Server-side: a client-side apply would copy the whole object, key
# included, into the last-applied-configuration annotation.
# shellcheck disable=SC2086 # $dry is one flag or nothing
"$KUBECTL" apply --server-side --field-manager=atlas-x509 --force-conflicts $dry \
    --namespace "$K8S_NAMESPACE" -f - < "$work/annotated.yaml" > /dev/null
echo "deploy-hook: secret $K8S_NAMESPACE/$K8S_SECRET ${dry:+(rehearsed) }holds serial ${ATLAS_X509_SERIAL:-?}"

for d in ${K8S_RESTART:-}; do
  if [ -n "$dry" ]; then
    echo "deploy-hook: would restart deployment/$d"
    continue
  fi
  "$KUBECTL" rollout restart "deployment/$d" --namespace "$K8S_NAMESPACE" > /dev/null
  echo "deploy-hook: restarted deployment/$d"
done
