#!/usr/bin/env bash
# Stop the test cluster started by test/cluster/up.sh: kill components in reverse start order, wait for them to exit,
# then delete the work dir. Logs are kept in .cache/cluster/logs/ unless KS_KEEP_LOGS=0.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
WORK=${KS_CLUSTER_DIR:-$REPO/.cache/cluster}
PIDS=$WORK/pids
COMPONENTS=(kwok kube-scheduler kube-controller-manager kube-apiserver etcd)   # reverse of up.sh

log() { echo "[cluster:down] $*" >&2; }

ours() { # pid component: true if pid is alive and runs our binary (guards against pid reuse)
  [ -d "/proc/$1" ] || return 1
  local exe; exe=$(readlink "/proc/$1/exe" 2>/dev/null || true)
  exe=${exe% (deleted)}
  [ "$(basename "$exe")" = "$2" ]
}

zombie() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

stopped=0
for c in "${COMPONENTS[@]}"; do
  f=$PIDS/$c.pid
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if [ -n "$pid" ] && ours "$pid" "$c"; then
    log "stopping $c (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do ours "$pid" "$c" || break; sleep 0.1; done
    if ours "$pid" "$c"; then
      log "$c did not exit after 10s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do ours "$pid" "$c" || break; sleep 0.1; done
    fi
    ours "$pid" "$c" && { log "ERROR: $c (pid $pid) still running"; exit 1; }
    # The daemons were reparented to init when up.sh exited; give init a moment to reap the zombie so that `ps`
    # right after down shows nothing.
    for _ in $(seq 1 50); do zombie "$pid" || break; sleep 0.1; done
    stopped=$((stopped + 1))
  fi
  rm -f "$f"
done

if [ -d "$WORK" ]; then
  if [ "${KS_KEEP_LOGS:-1}" = 0 ]; then
    rm -rf "$WORK"
  else
    find "$WORK" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  fi
fi
log "stopped $stopped component(s); work dir cleaned"
