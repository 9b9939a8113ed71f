#!/usr/bin/env bash
# Smoke test of the test cluster: up, nodes Ready, Deployment pods Running on kwok nodes, static PV binding by the
# real PV controller, fault stages, identities/RBAC, audit log, kubectl logs via kwok, node NotReady via label
# removal, then down. SMOKE_KEEP_UP=1 leaves the cluster running; SMOKE_SKIP_NOTREADY=1 skips the ~30s NotReady check.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO"

pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "ok   - $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
retry() { # seconds cmd...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do [ "$(date +%s)" -ge "$deadline" ] && return 1; sleep 1; done
}

finish() {
  local rc=$?
  if [ "${SMOKE_KEEP_UP:-0}" != 1 ]; then bash "$HERE/down.sh" || rc=1; fi
  echo "$pass passed, $fail failed"
  [ $fail = 0 ] && [ $rc = 0 ] || exit 1
}
trap finish EXIT

bash "$HERE/up.sh"
t=$(date +%s); out=$(bash "$HERE/up.sh" 2>&1); echo "$out"
if grep -q "already up" <<<"$out"; then ok "second up.sh is a no-op ($(( $(date +%s) - t ))s)"; else bad "second up.sh is a no-op"; fi

# shellcheck disable=SC1091
. .cache/cluster/env
k()      { "$KS_KUBECTL" --kubeconfig "$KS_ADMIN_KUBECONFIG" "$@"; }
sleuth() { "$KS_KUBECTL" --kubeconfig "$KS_SLEUTH_KUBECONFIG" "$@"; }
viewer() { "$KS_KUBECTL" --kubeconfig "$KS_VIEWER_KUBECONFIG" "$@"; }

k get nodes -o wide
ready=$(k get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$' || true)
check "5 nodes Ready (got $ready)" [ "$ready" = 5 ]
check "version stamped $KS_KUBE_VERSION" bash -c "'$KS_KUBECTL' --kubeconfig '$KS_ADMIN_KUBECONFIG' version -o json | grep -q '\"gitVersion\": \"v1.36'"

# --- Deployment -------------------------------------------------------------------------------------------------
k create namespace smoke >/dev/null
k -n smoke create deployment web --image=nginx:1.27 --replicas=2 >/dev/null
running_on_kwok() {
  local out; out=$(k -n smoke get pods -l app=web -o jsonpath='{range .items[*]}{.status.phase} {.spec.nodeName}{"\n"}{end}')
  [ "$(echo "$out" | grep -cE '^Running kwok-worker-[0-9]+$')" = 2 ]
}
check "deployment pods Running on kwok worker nodes" retry 60 running_on_kwok
check "deployment Available" k -n smoke wait --for=condition=Available deployment/web --timeout=30s
k -n smoke get pods -o wide

# --- static PV binding by the PV controller ---------------------------------------------------------------------
k apply -f - >/dev/null <<'E'
apiVersion: v1
kind: PersistentVolume
metadata: {name: smoke-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: manual
  hostPath: {path: /tmp/smoke-pv}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: smoke-pvc, namespace: smoke}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: manual
  resources: {requests: {storage: 1Gi}}
E
pvc_bound() { [ "$(k -n smoke get pvc smoke-pvc -o jsonpath='{.status.phase}')" = Bound ]; }
check "PVC bound to static PV by kube-controller-manager" retry 60 pvc_bound

# --- fault stages -----------------------------------------------------------------------------------------------
k apply -f - >/dev/null <<'E'
apiVersion: v1
kind: Pod
metadata: {name: crashy, namespace: smoke, labels: {sim.test/fault: crashloop}, annotations: {sim.test/restart-count: "7"}}
spec: {containers: [{name: app, image: busybox:1.36}]}
---
apiVersion: v1
kind: Pod
metadata: {name: pully, namespace: smoke, labels: {sim.test/fault: image-pull-backoff}}
spec: {containers: [{name: app, image: registry.invalid/nope:1}]}
E
waiting_reason() { [ "$(k -n smoke get pod "$1" -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')" = "$2" ]; }
check "sim.test/fault=crashloop -> CrashLoopBackOff" retry 30 waiting_reason crashy CrashLoopBackOff
check "crashloop restartCount from annotation" bash -c "[ \"\$('$KS_KUBECTL' --kubeconfig '$KS_ADMIN_KUBECONFIG' -n smoke get pod crashy -o jsonpath='{.status.containerStatuses[0].restartCount}')\" = 7 ]"
check "sim.test/fault=image-pull-backoff -> ImagePullBackOff" retry 30 waiting_reason pully ImagePullBackOff
sleep 3
check "crashloop pod stays CrashLoopBackOff (no default stage overrides)" waiting_reason crashy CrashLoopBackOff
k -n smoke get pods

# --- kubectl logs through kwok ----------------------------------------------------------------------------------
web_pod=$(k -n smoke get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
check "kubectl logs served by kwok" bash -c "'$KS_KUBECTL' --kubeconfig '$KS_ADMIN_KUBECONFIG' -n smoke logs '$web_pod' | grep -q 'simulated container log line 1'"

# --- identities -------------------------------------------------------------------------------------------------
check "sleuth can list nodes"                sleuth get nodes -o name
check "sleuth can list secrets cluster-wide" sleuth get secrets -A -o name
check "sleuth can list PVs and storageclasses" sleuth get pv,storageclasses -o name
check "sleuth can NOT create"               bash -c "! '$KS_KUBECTL' --kubeconfig '$KS_SLEUTH_KUBECONFIG' -n smoke create configmap x 2>/dev/null"
check "viewer can list pods in $KS_VIEWER_NAMESPACE" viewer -n "$KS_VIEWER_NAMESPACE" get pods -o name
check "viewer can NOT list pods in smoke"   bash -c "! '$KS_KUBECTL' --kubeconfig '$KS_VIEWER_KUBECONFIG' -n smoke get pods 2>/dev/null"
check "viewer can NOT list nodes"           bash -c "! '$KS_KUBECTL' --kubeconfig '$KS_VIEWER_KUBECONFIG' get nodes 2>/dev/null"
audit_match() { # every pattern (fixed string) must occur in one audit event line
  local data p; data=$(cat "$KS_AUDIT_LOG")
  for p in "$@"; do data=$(grep -F -- "$p" <<<"$data" || true); done
  [ -n "$data" ]
}
check "audit log has kubesleuth list of nodes" retry 10 audit_match '"username":"kubesleuth"' '"verb":"list"' '"resource":"nodes"'
check "audit log has kubesleuth 403 on create" retry 10 audit_match '"username":"kubesleuth"' '"verb":"create"' '"code":403'
check "audit log has RequestResponse deployment create" audit_match '"level":"RequestResponse"' '"verb":"create"' '"resource":"deployments"'
check "audit log has no secret payloads" bash -c "! grep '\"resource\":\"secrets\"' '$KS_AUDIT_LOG' | grep -q '\"level\":\"RequestResponse\"'"

# --- node NotReady by removing the kwok management label ----------------------------------------------------------
if [ "${SMOKE_SKIP_NOTREADY:-0}" != 1 ]; then
  k label node kwok-worker-4 sim.test/kwok- >/dev/null
  not_ready() { [ "$(k get node kwok-worker-4 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = Unknown ]; }
  check "node NotReady (Ready=Unknown) after kwok stops heartbeats" retry 90 not_ready
  k get nodes
fi
