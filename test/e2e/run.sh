#!/usr/bin/env bash
# End-to-end tests on a real control plane: start it (binaries cached), run test/e2e/*.e2e.ts one file
# at a time, always tear it down. KS_SCENARIOS=a,b limits the scenarios; KS_E2E_FILES limits the files.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Reuse Go builds across clones (CI clones afresh each run on the same machine): cache outside the work tree.
CACHE_ROOT=${KUBESLEUTH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubesleuth}
export GO_CACHE_DIR=${GO_CACHE_DIR:-$CACHE_ROOT/go}
export K8S_BINS_CACHE=${K8S_BINS_CACHE:-$CACHE_ROOT/k8s-bins}

export KS_CLUSTER_DIR=${KS_CLUSTER_DIR:-$PWD/.cache/e2e-cluster}
cleanup() { bash test/cluster/down.sh >/dev/null 2>&1 || true; }
trap cleanup EXIT

start=$(date +%s)
bash test/cluster/up.sh
echo "[e2e] cluster up in $(( $(date +%s) - start ))s"

files=${KS_E2E_FILES:-$(ls test/e2e/*.e2e.ts | sort)}
# shellcheck disable=SC2086
node --import tsx --test --test-concurrency=1 --test-timeout=1200000 $files
