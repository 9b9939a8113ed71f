#!/usr/bin/env bash
# Start a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) plus a kwok
# controller that simulates 5 nodes, all bound to 127.0.0.1. Work dir: .cache/cluster/ (see test/cluster/README.md).
# Idempotent: if the cluster is already up and healthy this does nothing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${KS_CLUSTER_DIR:-$REPO/.cache/cluster}
P=$WORK/pki
LOGS=$WORK/logs
PIDS=$WORK/pids
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)   # start order; down.sh reverses it

log() { echo "[cluster:up] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case "$WORK" in *[[:space:]]*) die "work dir path must not contain whitespace: $WORK";; esac

# Serialize concurrent `cluster:up` runs (fd 8 is closed for the daemons, see start()).
mkdir -p "$(dirname "$WORK")"
exec 8>"$WORK.lock"
flock 8

# --- already up? ------------------------------------------------------------------------------------------------
pid_alive() { # component
  local f="$PIDS/$1.pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f"); [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # guard against pid reuse: the process must be running our binary
  [ "$(basename "$(readlink "/proc/$pid/exe" 2>/dev/null || true)")" = "$1" ]
}
if [ -f "$WORK/env" ]; then
  # shellcheck disable=SC1091
  . "$WORK/env"
  all=1; for c in "${COMPONENTS[@]}"; do pid_alive "$c" || all=0; done
  if [ $all = 1 ] && curl -fsS --max-time 5 --cacert "$KS_CA_FILE" "$KS_APISERVER_URL/readyz" >/dev/null 2>&1; then
    log "cluster already up (apiserver $KS_APISERVER_URL); nothing to do"
    exit 0
  fi
  log "stale or partial cluster state found; tearing it down first"
fi
if [ -d "$PIDS" ]; then bash "$HERE/down.sh"; fi

# --- binaries ---------------------------------------------------------------------------------------------------
BIN=$(bash "$REPO/test/k8s-bins/build.sh" | tail -n 1)
[ -f "$BIN/.complete" ] || die "build.sh did not produce a complete bin dir"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do [ -x "$BIN/$b" ] || die "missing $BIN/$b"; done
KUBE_VERSION=$("$BIN/kubectl" version --client -o json | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -n1)

rm -rf "$WORK"
mkdir -p "$P" "$LOGS" "$PIDS" "$WORK/etcd-data" "$WORK/kcm-certs" "$WORK/scheduler-certs" "$WORK/pod-logs"
T0=$(date +%s)

# --- ports and addresses ----------------------------------------------------------------------------------------
# Ask the kernel for 6 distinct free loopback ports (held open together so they are distinct).
read -r ETCD_PORT ETCD_PEER_PORT APISERVER_PORT KCM_PORT SCHEDULER_PORT KWOK_PORT < <(node -e '
const net = require("net"); const n = 6, servers = [], ports = [];
let left = n;
for (let i = 0; i < n; i++) { const s = net.createServer(); servers.push(s);
  s.listen(0, "127.0.0.1", () => { ports.push(s.address().port); if (--left === 0) { console.log(ports.join(" ")); servers.forEach(x => x.close()); } }); }')
[ -n "${KWOK_PORT:-}" ] || die "could not allocate ports"

# kube-apiserver needs a non-loopback advertise address (it is only written into the "kubernetes" Endpoints,
# never contacted). Use the host's global IPv4 if it has one, else TEST-NET-1 192.0.2.10.
ADVERTISE_IP=${KS_ADVERTISE_IP:-$(ip -4 -o addr show scope global 2>/dev/null | awk '{split($4,a,"/"); print a[1]; exit}' || true)}
ADVERTISE_IP=${ADVERTISE_IP:-192.0.2.10}
APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"

# --- PKI (openssl) ----------------------------------------------------------------------------------------------
log "generating PKI in $P"
(
  cd "$P"
  exec 2>>"$LOGS/pki.log" >>"$LOGS/pki.log"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.crt -subj "/CN=kubesleuth-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
  cat > serving.ext <<E
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.0.0.1,IP:${ADVERTISE_IP}
E
  cat > kwok-serving.ext <<E
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
E
  cat > client.ext <<E
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
E
  sign() { # name subject extfile
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "$2"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 -out "$1.crt" -extfile "$3"
    rm -f "$1.csr"
  }
  sign apiserver                "/CN=kube-apiserver"                                   serving.ext
  sign kwok-serving             "/CN=kwok-kubelet-server"                              kwok-serving.ext
  sign admin                    "/O=system:masters/CN=test-admin"                      client.ext
  sign kcm                      "/CN=system:kube-controller-manager"                   client.ext
  sign scheduler                "/CN=system:kube-scheduler"                            client.ext
  sign kwok                     "/O=system:masters/CN=kwok-controller"                 client.ext
  sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"   client.ext
  sign front-proxy-client       "/CN=front-proxy-client"                               client.ext
  sign viewer                   "/CN=limited-viewer"                                   client.ext
  sign sleuth                   "/O=kubesleuth/CN=kubesleuth"                          client.ext
  openssl genrsa -out sa.key 2048 && openssl rsa -in sa.key -pubout -out sa.pub
  chmod 600 ./*.key
) || die "PKI generation failed (see $LOGS/pki.log)"

kubeconfig() { # file certname user
  cat > "$1" <<E
apiVersion: v1
kind: Config
clusters:
- name: kubesleuth-test
  cluster:
    server: $APISERVER_URL
    certificate-authority-data: $(base64 -w0 < "$P/ca.crt")
users:
- name: $3
  user:
    client-certificate-data: $(base64 -w0 < "$P/$2.crt")
    client-key-data: $(base64 -w0 < "$P/$2.key")
contexts:
- name: $3@kubesleuth-test
  context: {cluster: kubesleuth-test, user: $3}
current-context: $3@kubesleuth-test
E
  chmod 600 "$1"
}
kubeconfig "$WORK/admin.kubeconfig"     admin     test-admin
kubeconfig "$WORK/viewer.kubeconfig"    viewer    limited-viewer
kubeconfig "$WORK/sleuth.kubeconfig"    sleuth    kubesleuth
kubeconfig "$WORK/kcm.kubeconfig"       kcm       system:kube-controller-manager
kubeconfig "$WORK/scheduler.kubeconfig" scheduler system:kube-scheduler
kubeconfig "$WORK/kwok.kubeconfig"      kwok      kwok-controller

# --- audit policy -----------------------------------------------------------------------------------------------
# First matching rule wins.
cat > "$WORK/audit-policy.yaml" <<'E'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
# Noise: reads/watches by the control-plane components and kwok themselves.
- level: None
  users: ["system:kube-scheduler", "system:kube-controller-manager", "kwok-controller", "system:apiserver"]
  verbs: ["get", "list", "watch"]
- level: None
  userGroups: ["system:serviceaccounts:kube-system"]
  verbs: ["get", "list", "watch"]
# Noise: kwok renewing node leases every ~10s.
- level: None
  users: ["kwok-controller"]
  resources:
  - group: "coordination.k8s.io"
    resources: ["leases"]
# Secret/ConfigMap payloads never go into the log (Helm release Secrets would otherwise be logged).
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets", "configmaps"]
# Full bodies for every write.
- level: RequestResponse
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
# Everything else (including every get/list/watch by kubesleuth, limited-viewer, test-admin, and their 403s).
- level: Metadata
E
AUDIT_LOG=$LOGS/audit.log

# --- process helpers --------------------------------------------------------------------------------------------
start() { # component args...
  local c=$1; shift
  log "starting $c"
  # setsid: own session, so the processes outlive `npm run` and are not hit by a terminal's SIGINT.
  setsid "$BIN/$c" "$@" >"$LOGS/$c.log" 2>&1 </dev/null 8>&- &
  echo $! > "$PIDS/$c.pid"
}
# Still running? For a process this script just started: right after `start`, /proc/<pid>/exe may
# still be bash or setsid (exec not done yet, slow under load), so pid_alive's binary check would call
# a starting component dead. Exists and is not a zombie is the right test here.
pid_running() { # component
  local f="$PIDS/$1.pid" pid state
  [ -f "$f" ] || return 1
  pid=$(cat "$f"); [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo Z)
  [ "$state" != "Z" ] && [ "$state" != "X" ]
}
wait_for() { # description timeout_seconds component cmd...
  local what=$1 timeout=$2 comp=$3; shift 3
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$comp" ] && ! pid_running "$comp"; then
      log "$comp exited; last log lines:"; tail -n 30 "$LOGS/$comp.log" >&2 || true
      bash "$HERE/down.sh" >/dev/null 2>&1 || true
      die "$comp died while waiting for $what"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      [ -n "$comp" ] && { log "last log lines of $comp:"; tail -n 30 "$LOGS/$comp.log" >&2 || true; }
      bash "$HERE/down.sh" >/dev/null 2>&1 || true
      die "timed out after ${timeout}s waiting for $what"
    fi
    sleep 0.5
  done
  log "$what: ok ($(( $(date +%s) - T0 ))s)"
}
kc() { "$BIN/kubectl" --kubeconfig "$WORK/admin.kubeconfig" "$@"; }

# --- etcd -------------------------------------------------------------------------------------------------------
start etcd --name=default --data-dir="$WORK/etcd-data" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="default=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync=true --auto-compaction-retention=1 --quota-backend-bytes=$((2*1024*1024*1024)) --log-level=warn
wait_for "etcd /health" 60 etcd curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health"

# --- kube-apiserver ---------------------------------------------------------------------------------------------
start kube-apiserver \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --secure-port="$APISERVER_PORT" --advertise-address="$ADVERTISE_IP" \
  --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" --client-ca-file="$P/ca.crt" \
  --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true \
  --audit-policy-file="$WORK/audit-policy.yaml" --audit-log-path="$AUDIT_LOG" --audit-log-format=json \
  --audit-log-maxsize=200 --audit-log-maxbackup=1 \
  --kubelet-client-certificate="$P/apiserver-kubelet-client.crt" --kubelet-client-key="$P/apiserver-kubelet-client.key" \
  --kubelet-preferred-address-types=InternalIP \
  --requestheader-client-ca-file="$P/ca.crt" --requestheader-allowed-names=front-proxy-client \
  --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
  --requestheader-extra-headers-prefix=X-Remote-Extra- \
  --proxy-client-cert-file="$P/front-proxy-client.crt" --proxy-client-key-file="$P/front-proxy-client.key" \
  --profiling=false --v=1
wait_for "kube-apiserver /readyz" 120 kube-apiserver \
  curl -fsS --max-time 3 --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" "$APISERVER_URL/readyz"

# --- kube-controller-manager and kube-scheduler -----------------------------------------------------------------
start kube-controller-manager \
  --kubeconfig="$WORK/kcm.kubeconfig" \
  --authentication-kubeconfig="$WORK/kcm.kubeconfig" --authorization-kubeconfig="$WORK/kcm.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --cert-dir="$WORK/kcm-certs" \
  --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics \
  --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file="$P/sa.key" --root-ca-file="$P/ca.crt" \
  --cluster-signing-cert-file="$P/ca.crt" --cluster-signing-key-file="$P/ca.key" \
  --controllers='*' \
  --node-monitor-period=2s --node-monitor-grace-period=20s \
  --v=1
start kube-scheduler \
  --kubeconfig="$WORK/scheduler.kubeconfig" \
  --authentication-kubeconfig="$WORK/scheduler.kubeconfig" --authorization-kubeconfig="$WORK/scheduler.kubeconfig" \
  --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --cert-dir="$WORK/scheduler-certs" \
  --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics \
  --leader-elect=false --v=1
wait_for "kube-controller-manager /healthz" 90 kube-controller-manager curl -fsSk --max-time 3 "https://127.0.0.1:$KCM_PORT/healthz"
wait_for "kube-scheduler /healthz" 90 kube-scheduler curl -fsSk --max-time 3 "https://127.0.0.1:$SCHEDULER_PORT/healthz"

# --- kwok stages ------------------------------------------------------------------------------------------------
# Stock stages from the kwok module (copied next to the binaries by build.sh), edited so that:
#  * pods labelled sim.test/fault are left to test/cluster/kwok/*-stages.yaml (every pod stage but pod-delete);
#  * node-initialize does not flip a node labelled node-not-ready.stage.kwok.x-k8s.io=true back to Ready.
S=$BIN/kwok-stages
add_expr() { # file key operator  -> prints the stage with one more matchExpression
  local n; n=$(grep -c '^    matchExpressions:$' "$1" || true)
  [ "$n" = 1 ] || die "unexpected stage layout in $1 (matchExpressions lines: $n)"
  awk -v key="$2" -v op="$3" '{print} /^    matchExpressions:$/{printf "    - key: '\''%s'\''\n      operator: '\''%s'\''\n", key, op}' "$1"
}
{
  echo "# generated by test/cluster/up.sh from kwok's stock stages (kustomize/stage) + test/cluster/kwok/fault-stages.yaml"
  add_expr "$S/node/fast/node-initialize.yaml" '.metadata.labels["node-not-ready.stage.kwok.x-k8s.io"]' DoesNotExist
  echo "---"; cat "$S/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml"
  echo "---"; cat "$S/node/chaos/node-not-ready.yaml"
  for st in pod-create pod-init-container-running pod-init-container-completed pod-ready pod-complete; do
    echo "---"; add_expr "$S/pod/general/$st.yaml" '.metadata.labels["sim.test/fault"]' DoesNotExist
  done
  echo "---"; cat "$S/pod/general/pod-delete.yaml"
  # fault-stages.yaml and every other test/cluster/kwok/*-stages.yaml (one file per scenario family)
  for f in "$HERE"/kwok/*-stages.yaml; do echo "---"; grep -v '^#' "$f"; done
  # A scenario's test/scenarios/<name>/pod-logs/<namespace>.log (and optional <namespace>.previous.log) is what every
  # pod of that namespace prints; kwok takes the first ClusterLogs whose selector matches, so these come before all-pods.
  for f in "$HERE"/../scenarios/*/pod-logs/*.log; do
    [ -e "$f" ] || continue
    case "$f" in *.previous.log) continue ;; esac
    ns=$(basename "$f" .log); prev="${f%.log}.previous.log"; [ -e "$prev" ] || prev=$WORK/pod-logs/previous.log
    printf -- '---\napiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterLogs\nmetadata:\n  name: scenario-%s\nspec:\n  selector:\n    matchNamespaces: [%s]\n  logs:\n  - logsFile: %s\n    previousLogsFile: %s\n    follow: false\n' "$ns" "$ns" "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$prev"
  done
  # `kubectl logs` for every simulated pod is served by kwok (apiserver -> 127.0.0.1:$KWOK_PORT) from this file.
  cat <<E
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: all-pods
spec:
  selector: {}
  logs:
  - logsFile: $WORK/pod-logs/current.log
    previousLogsFile: $WORK/pod-logs/previous.log
    follow: false
E
} > "$WORK/kwok.yaml"
# CRI log format (what kubelet/containerd write): <RFC3339Nano> <stdout|stderr> <F|P> <message>
cat > "$WORK/pod-logs/current.log" <<'E'
2026-01-01T00:00:00.000000000Z stdout F simulated container log line 1
2026-01-01T00:00:01.000000000Z stdout F simulated container log line 2
E
cat > "$WORK/pod-logs/previous.log" <<'E'
2026-01-01T00:00:00.000000000Z stdout F simulated previous container log
2026-01-01T00:00:01.000000000Z stderr F panic: simulated crash
E

# --- kwok controller --------------------------------------------------------------------------------------------
KWOK_NODE_SELECTOR=sim.test/kwok=true
start kwok \
  --kubeconfig="$WORK/kwok.kubeconfig" --config="$WORK/kwok.yaml" \
  --manage-nodes-with-label-selector="$KWOK_NODE_SELECTOR" \
  --cidr=10.244.0.0/16 --node-ip=127.0.0.1 --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
  --tls-cert-file="$P/kwok-serving.crt" --tls-private-key-file="$P/kwok-serving.key" \
  --node-lease-duration-seconds=40
wait_for "kwok /healthz" 60 kwok curl -fsSk --max-time 3 "https://127.0.0.1:$KWOK_PORT/healthz"

# --- namespaces, RBAC, nodes ------------------------------------------------------------------------------------
NODES=(kwok-control-plane kwok-worker-1 kwok-worker-2 kwok-worker-3 kwok-worker-4)
node_yaml() { # name zone cpu memGi instance-type control-plane(0|1)
  local alloc_mem=$(( $4 * 1024 - 512 ))
  cat <<E
---
apiVersion: v1
kind: Node
metadata:
  name: $1
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    sim.test/kwok: "true"
    type: kwok
    kubernetes.io/hostname: $1
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    beta.kubernetes.io/os: linux
    beta.kubernetes.io/arch: amd64
    node.kubernetes.io/instance-type: $5
    topology.kubernetes.io/region: sim-region-1
    topology.kubernetes.io/zone: $2
$( [ "$6" = 1 ] && echo '    node-role.kubernetes.io/control-plane: ""' )
spec:
$( [ "$6" = 1 ] && printf '  taints:\n  - {key: node-role.kubernetes.io/control-plane, effect: NoSchedule}\n' || echo '  {}' )
status:
  capacity: {cpu: "$3", memory: ${4}Gi, pods: "110", ephemeral-storage: 100Gi}
  allocatable: {cpu: "$(( $3 * 1000 - 100 ))m", memory: ${alloc_mem}Mi, pods: "110", ephemeral-storage: 95Gi}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    osImage: "Simulated Linux (kwok)"
    kernelVersion: 6.1.0-kwok
    containerRuntimeVersion: containerd://2.0.0-kwok
    kubeletVersion: $KUBE_VERSION
    kubeProxyVersion: $KUBE_VERSION
E
}
{
  cat <<'E'
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: limited-viewer-view, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: limited-viewer}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubesleuth-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: kubesleuth}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kubesleuth-cluster-reader}
rules:
- apiGroups: [""]
  resources: [nodes, persistentvolumes, persistentvolumeclaims, namespaces, events, secrets, configmaps, pods, services, endpoints, serviceaccounts, resourcequotas, limitranges, replicationcontrollers, componentstatuses]
  verbs: [get, list, watch]
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [get, list, watch]
- apiGroups: [storage.k8s.io]
  resources: [storageclasses, csidrivers, csinodes, volumeattachments]
  verbs: [get, list, watch]
- apiGroups: [rbac.authorization.k8s.io]
  resources: [roles, rolebindings, clusterroles, clusterrolebindings]
  verbs: [get, list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingressclasses, ingresses, networkpolicies]
  verbs: [get, list, watch]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, list, watch]
- apiGroups: [scheduling.k8s.io]
  resources: [priorityclasses]
  verbs: [get, list, watch]
- apiGroups: [node.k8s.io]
  resources: [runtimeclasses]
  verbs: [get, list, watch]
- apiGroups: [apiextensions.k8s.io]
  resources: [customresourcedefinitions]
  verbs: [get, list, watch]
- apiGroups: [apiregistration.k8s.io]
  resources: [apiservices]
  verbs: [get, list, watch]
- apiGroups: [admissionregistration.k8s.io]
  resources: [mutatingwebhookconfigurations, validatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kubesleuth-cluster-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubesleuth-cluster-reader}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: kubesleuth}
E
  node_yaml kwok-control-plane zone-a 4 16 sim.large  1
  node_yaml kwok-worker-1      zone-a 8 32 sim.xlarge 0
  node_yaml kwok-worker-2      zone-b 8 32 sim.xlarge 0
  node_yaml kwok-worker-3      zone-b 4 16 sim.large  0
  node_yaml kwok-worker-4      zone-c 8 32 sim.xlarge 0
} > "$WORK/bootstrap.yaml"
kc apply -f "$WORK/bootstrap.yaml" >"$LOGS/bootstrap.log" 2>&1 || { cat "$LOGS/bootstrap.log" >&2; bash "$HERE/down.sh" >/dev/null 2>&1 || true; die "bootstrap objects failed"; }

nodes_ready() {
  [ "$(kc get nodes -l "$KWOK_NODE_SELECTOR" -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$')" = "${#NODES[@]}" ]
}
wait_for "${#NODES[@]} kwok nodes Ready" 120 kwok nodes_ready
# Pods can only be created once the ServiceAccount controller made the default SAs.
wait_for "default ServiceAccounts" 60 kube-controller-manager \
  bash -c "'$BIN/kubectl' --kubeconfig '$WORK/admin.kubeconfig' get sa default -n default && '$BIN/kubectl' --kubeconfig '$WORK/admin.kubeconfig' get sa default -n team-a"

# --- env file ---------------------------------------------------------------------------------------------------
HELM_BIN=""; [ -x "$BIN/helm" ] && HELM_BIN=$BIN/helm
cat > "$WORK/env.tmp" <<E
# kubesleuth test cluster, written by test/cluster/up.sh. Plain KEY=value lines (no quoting, no spaces): source or parse.
KS_CLUSTER_DIR=$WORK
KS_ADMIN_KUBECONFIG=$WORK/admin.kubeconfig
KS_VIEWER_KUBECONFIG=$WORK/viewer.kubeconfig
KS_SLEUTH_KUBECONFIG=$WORK/sleuth.kubeconfig
KS_ADMIN_USER=test-admin
KS_VIEWER_USER=limited-viewer
KS_VIEWER_NAMESPACE=team-a
KS_SLEUTH_USER=kubesleuth
KS_SLEUTH_GROUP=kubesleuth
KS_APISERVER_URL=$APISERVER_URL
KS_APISERVER_PORT=$APISERVER_PORT
KS_ETCD_PORT=$ETCD_PORT
KS_ETCD_PEER_PORT=$ETCD_PEER_PORT
KS_KCM_PORT=$KCM_PORT
KS_SCHEDULER_PORT=$SCHEDULER_PORT
KS_KWOK_PORT=$KWOK_PORT
KS_ADVERTISE_IP=$ADVERTISE_IP
KS_CA_FILE=$P/ca.crt
KS_AUDIT_LOG=$AUDIT_LOG
KS_LOG_DIR=$LOGS
KS_BIN_DIR=$BIN
KS_KUBECTL=$BIN/kubectl
KS_HELM=$HELM_BIN
KS_KUBE_VERSION=$KUBE_VERSION
KS_NODES=$(IFS=,; echo "${NODES[*]}")
KS_KWOK_NODE_SELECTOR=$KWOK_NODE_SELECTOR
KS_POD_LOG_FILE=$WORK/pod-logs/current.log
KS_POD_PREVIOUS_LOG_FILE=$WORK/pod-logs/previous.log
E
mv "$WORK/env.tmp" "$WORK/env"
log "cluster up in $(( $(date +%s) - T0 ))s: $APISERVER_URL  (env: $WORK/env)"
