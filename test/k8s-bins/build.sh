#!/usr/bin/env bash
# Build the real Kubernetes control-plane binaries used by the integration tests from Go module sources.
#
#   test/k8s-bins/build.sh                 build (or reuse) and print the bin dir on the last line of stdout
#   test/k8s-bins/build.sh --print-bin-dir print the bin dir for the current key (no build); exit 1 if not complete
#
# Output: .cache/k8s-bins/<key>/{kube-apiserver,kube-controller-manager,kube-scheduler,kubectl,etcd,kwok,helm}
# key = sha256(go.mod + go.sum of the four wrapper modules, `go version`, build flags). A complete dir is reused
# as-is (warm run is a no-op). Go caches live in .cache/go/{build,mod} so repeated builds on one machine are cheap.
#
# Env overrides: K8S_BINS_CACHE (default <repo>/.cache/k8s-bins), GO_CACHE_DIR (default <repo>/.cache/go).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE_ROOT=${K8S_BINS_CACHE:-$REPO/.cache/k8s-bins}
GO_CACHE_DIR=${GO_CACHE_DIR:-$REPO/.cache/go}

# Versions. They must agree with the wrapper go.mod files (checked below).
KUBE_VERSION=v1.36.3        # k8s.io/kubernetes; staging modules replaced to v0.36.3 in kube/go.mod
ETCD_VERSION=v3.6.16        # go.etcd.io/etcd/server/v3
KWOK_VERSION=v0.8.0         # sigs.k8s.io/kwok
HELM_VERSION=v3.21.4        # helm.sh/helm/v3

export GOTOOLCHAIN=local CGO_ENABLED=0 GOOS=linux
export GOFLAGS="-trimpath -buildvcs=false"
export GOCACHE="$GO_CACHE_DIR/build" GOMODCACHE="$GO_CACHE_DIR/mod"
# 2-core / small-RAM friendly: at most 2 parallel compiles, more aggressive GC inside the compiler/linker.
export GOGC=${GOGC:-50}
GOARCH=$(go env GOARCH); export GOARCH
BUILD_P=(-p 2)

KV_MINOR=${KUBE_VERSION#v1.}; KV_MINOR=${KV_MINOR%%.*}
KUBE_X=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  KUBE_X+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$KV_MINOR -X $p.gitTreeState=clean"
  KUBE_X+=" -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.buildDate=2026-01-01T00:00:00Z"
done
KUBE_LDFLAGS="-s -w$KUBE_X"
ETCD_LDFLAGS="-s -w"
KWOK_LDFLAGS="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBE_VERSION#v}"
HELM_LDFLAGS="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
HELM_LDFLAGS+=" -X helm.sh/helm/v3/internal/version.gitCommit=0000000000000000000000000000000000000000"
HELM_LDFLAGS+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$KV_MINOR"
HELM_LDFLAGS+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$KV_MINOR"

KUBE_BINS=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
ALL_BINS=("${KUBE_BINS[@]}" etcd kwok helm)

compute_key() {
  {
    echo "schema=1"
    for d in kube etcd kwok helm; do
      echo "== $d/go.mod"; cat "$HERE/$d/go.mod"
      echo "== $d/go.sum"; cat "$HERE/$d/go.sum"
    done
    go version
    echo "GOOS=$GOOS GOARCH=$GOARCH CGO_ENABLED=$CGO_ENABLED GOFLAGS=$GOFLAGS"
    echo "kube=$KUBE_LDFLAGS"; echo "etcd=$ETCD_LDFLAGS"; echo "kwok=$KWOK_LDFLAGS"; echo "helm=$HELM_LDFLAGS"
  } | sha256sum | cut -c1-16
}

KEY=$(compute_key)
BIN_DIR="$CACHE_ROOT/$KEY"

is_complete() { [ -f "$BIN_DIR/.complete" ]; }

if [ "${1:-}" = "--print-bin-dir" ]; then
  echo "$BIN_DIR"
  is_complete
  exit $?
fi

log() { echo "[k8s-bins] $*" >&2; }

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock"
if ! flock -n 9; then
  log "another build holds $CACHE_ROOT/.lock; waiting"
  flock 9
fi

if is_complete; then
  log "up to date (key $KEY), nothing to build"
  echo "$BIN_DIR"
  exit 0
fi

# Sanity: wrapper modules pin the versions this script stamps.
grep -q "k8s.io/kubernetes $KUBE_VERSION" "$HERE/kube/go.mod" || { log "kube/go.mod does not require k8s.io/kubernetes $KUBE_VERSION"; exit 1; }
grep -q "go.etcd.io/etcd/server/v3 $ETCD_VERSION" "$HERE/etcd/go.mod" || { log "etcd/go.mod does not require etcd $ETCD_VERSION"; exit 1; }
grep -q "sigs.k8s.io/kwok $KWOK_VERSION" "$HERE/kwok/go.mod" || { log "kwok/go.mod does not require kwok $KWOK_VERSION"; exit 1; }
grep -q "helm.sh/helm/v3 $HELM_VERSION" "$HERE/helm/go.mod" || { log "helm/go.mod does not require helm $HELM_VERSION"; exit 1; }

mkdir -p "$BIN_DIR"
START=$(date +%s)
FAILED=()

# go build into a temp name then rename, so a killed build never leaves a truncated binary that looks complete.
build_group() { # name dir ldflags outputs... -- packages...
  local name=$1 dir=$2 ldflags=$3; shift 3
  local outs=() pkgs=()
  while [ "$1" != "--" ]; do outs+=("$1"); shift; done; shift
  pkgs=("$@")
  local missing=0 o
  for o in "${outs[@]}"; do [ -x "$BIN_DIR/$o" ] || missing=1; done
  if [ $missing = 0 ]; then log "$name: already built"; return 0; fi
  local t0; t0=$(date +%s)
  log "$name: go mod download"
  if ! (cd "$HERE/$dir" && go mod download 2>&1 | sed "s/^/[$name] /" >&2; exit "${PIPESTATUS[0]}"); then
    log "$name: FAILED to download modules (see messages above: a module missing from the proxy?)"
    FAILED+=("$name"); return 0
  fi
  local tmp="$BIN_DIR/.tmp-$name"; rm -rf "$tmp"; mkdir -p "$tmp"
  log "$name: go build ${pkgs[*]}"
  if [ ${#outs[@]} -eq 1 ]; then
    (cd "$HERE/$dir" && go build "${BUILD_P[@]}" -ldflags "$ldflags" -o "$tmp/${outs[0]}" "${pkgs[@]}") || { log "$name: BUILD FAILED"; FAILED+=("$name"); rm -rf "$tmp"; return 0; }
  else
    (cd "$HERE/$dir" && go build "${BUILD_P[@]}" -ldflags "$ldflags" -o "$tmp/" "${pkgs[@]}") || { log "$name: BUILD FAILED"; FAILED+=("$name"); rm -rf "$tmp"; return 0; }
  fi
  for o in "${outs[@]}"; do mv -f "$tmp/$o" "$BIN_DIR/$o"; done
  rm -rf "$tmp"
  log "$name: built in $(( $(date +%s) - t0 ))s"
}

build_group etcd etcd "$ETCD_LDFLAGS" etcd -- go.etcd.io/etcd/server/v3
build_group kube kube "$KUBE_LDFLAGS" "${KUBE_BINS[@]}" -- $(printf 'k8s.io/kubernetes/cmd/%s ' "${KUBE_BINS[@]}")
build_group kwok kwok "$KWOK_LDFLAGS" kwok -- sigs.k8s.io/kwok/cmd/kwok
build_group helm helm "$HELM_LDFLAGS" helm -- helm.sh/helm/v3/cmd/helm

# Copy the stock kwok stages shipped in the kwok module zip next to the binaries (up.sh edits them).
KWOK_MOD_DIR=$(cd "$HERE/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok 2>/dev/null || true)
if [ -n "$KWOK_MOD_DIR" ] && [ -d "$KWOK_MOD_DIR/kustomize/stage" ]; then
  rm -rf "$BIN_DIR/kwok-stages"; cp -r "$KWOK_MOD_DIR/kustomize/stage" "$BIN_DIR/kwok-stages"; chmod -R u+w "$BIN_DIR/kwok-stages"
else
  log "kwok module dir not found; stock stages not copied"; FAILED+=("kwok-stages")
fi

if [ ${#FAILED[@]} -gt 0 ]; then
  log "FAILED: ${FAILED[*]} (took $(( $(date +%s) - START ))s); bin dir incomplete: $BIN_DIR"
  exit 1
fi
{
  echo "key=$KEY"
  echo "kubernetes=$KUBE_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION helm=$HELM_VERSION"
  go version
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) seconds=$(( $(date +%s) - START ))"
} > "$BIN_DIR/.complete"
log "all binaries built in $(( $(date +%s) - START ))s"
echo "$BIN_DIR"
