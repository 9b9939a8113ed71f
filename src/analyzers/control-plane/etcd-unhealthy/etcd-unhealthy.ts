// Reads etcd's own /health and /metrics (opt-in, --etcd-endpoint): database near or over its quota, the
// NOSPACE alarm, no leader, frequent leader changes, slow disk (WAL fsync, backend commit).
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { ObjectRef } from "../../../model/ref.js";
import { formatSeconds } from "../apiserver-metrics.js";
import { etcdState, type EtcdState } from "../etcd-metrics.js";

/**
 * Thresholds from etcd's documentation (etcd.io/docs/v3.5/faq/, "What does the etcd warning 'apply entries
 * took too long' mean?"): the p99 of wal_fsync_duration_seconds should be under 10 ms and of
 * backend_commit_duration_seconds under 25 ms; above, the disk is too slow for etcd.
 */
export const WAL_FSYNC_P99_LIMIT = 0.01;
export const BACKEND_COMMIT_P99_LIMIT = 0.025;
/** Fewer observations than this say nothing about a disk. */
const MIN_OBSERVATIONS = 20;
/**
 * etcd-mixin's etcdHighNumberOfLeaderChanges: 4 or more leader changes within 15 minutes. One scrape holds
 * the total since the member started; when the average since the start reaches 4 per 15 minutes, at least
 * one 15-minute window reached it (pigeonhole). The first election counts one change, so it is subtracted.
 */
const LEADER_CHANGES_PER_WINDOW = 4;
const LEADER_WINDOW_SECONDS = 15 * 60;

function memberRef(url: string): ObjectRef {
  let name = url;
  try {
    name = new URL(url).host;
  } catch {
    name = url;
  }
  return { kind: "EtcdMember", name };
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

const DEFRAG = {
  description: "Compact the history to the current revision, then defragment each member to give the space back to the file system",
  command:
    "rev=$(etcdctl endpoint status --write-out=json | grep -o '\"revision\":[0-9]*' | head -1 | cut -d: -f2); etcdctl compact \"$rev\"; etcdctl defrag --cluster",
  verify: "etcdctl endpoint status -w table   # DB SIZE well under the quota",
};

export const etcdUnhealthy = defineAnalyzer({
  id: "etcd-unhealthy",
  title: "etcd is out of space, without a leader, changing leaders or on a slow disk",
  area: "control-plane",
  severity: "error",
  needs: [],
  needsControlPlane: true,
  messages: {
    noSpace: {
      summary: "etcd {{member}} raised the NOSPACE alarm: it refuses every write",
      rootCause:
        "etcd's database reached its backend quota ({{size}}): etcd raised the NOSPACE alarm and answers every write with \"mvcc: database space exceeded\" until the alarm is disarmed. The API server cannot create, update or delete anything.",
      remediation: "Compact the key history, defragment every member, then disarm the alarm (`etcdctl alarm disarm`); raise --quota-backend-bytes if the data really needs the room.",
      severity: "critical",
    },
    dbFull: {
      summary: "etcd {{member}}'s database is at {{percent}} % of its quota",
      rootCause: "etcd_mvcc_db_total_size_in_bytes is {{size}} of etcd_server_quota_backend_bytes {{quota}} ({{percent}} %). At the quota etcd raises the NOSPACE alarm and refuses every write.",
      remediation: "Compact and defragment now; find what fills it (Events, big ConfigMaps/Secrets, CRDs); raise --quota-backend-bytes if needed.",
      severity: "error",
    },
    dbNearQuota: {
      summary: "etcd {{member}}'s database is at {{percent}} % of its quota",
      rootCause: "etcd_mvcc_db_total_size_in_bytes is {{size}} of etcd_server_quota_backend_bytes {{quota}} ({{percent}} %). At the quota etcd raises the NOSPACE alarm and refuses every write.",
      remediation: "Compact and defragment; find what fills the database; raise --quota-backend-bytes if needed.",
      severity: "warning",
    },
    noLeader: {
      summary: "etcd {{member}} has no leader",
      rootCause: "etcd_server_has_leader is 0: the member sees no leader, so it cannot serve writes or linearizable reads. Usually the cluster lost quorum (members down or partitioned).",
      remediation: "Check every member (`etcdctl endpoint status --cluster -w table`), their logs and the network between them; restore quorum.",
      severity: "critical",
    },
    leaderChanges: {
      summary: "etcd {{member}} changed leader {{changes}} times in {{uptime}}",
      rootCause:
        "etcd_server_leader_changes_seen_total is {{total}} since the member started {{uptime}} ago: {{changes}} changes after the first election, on average at least 4 per 15 minutes (etcd-mixin's etcdHighNumberOfLeaderChanges). Each change stalls writes; the usual causes are a slow disk, CPU starvation or a flaky network between members.",
      remediation: "Check the disk latency (WAL fsync), the members' CPU and the network between them; etcd's log shows \"failed to send out heartbeat on time\".",
      severity: "warning",
    },
    slowDisk: {
      summary: "etcd {{member}}'s disk is too slow: {{detail}}",
      rootCause:
        "{{detail}}. etcd's documentation (FAQ) asks for a WAL fsync p99 under 10 ms and a backend commit p99 under 25 ms; slower disks make etcd miss heartbeats, change leaders and time out requests, and slow the whole API. The percentiles are over everything since the member started.",
      remediation: "Give etcd a dedicated low-latency disk (SSD/NVMe), keep other I/O off it; measure with fio (fdatasync).",
      severity: "warning",
    },
    unhealthy: {
      summary: "etcd {{member}} reports itself unhealthy: {{reason}}",
      rootCause: "etcd's /health answered HTTP {{status}} with health \"false\" and reason \"{{reason}}\".",
      remediation: "Read etcd's log and `etcdctl endpoint status --cluster -w table`; `etcdctl alarm list` for alarms.",
      severity: "error",
    },
    unreachable: {
      summary: "etcd {{member}} could not be read: {{error}}",
      rootCause: "kubesleuth was asked to read {{url}} but got no usable answer ({{error}}). Cannot determine etcd's state from here: need its /health and /metrics (check the URL and the --etcd-cacert/--etcd-cert/--etcd-key files).",
      remediation: "Check that the URL is etcd's client URL (the API server's --etcd-servers) and reachable from here, and that the TLS files are the ones etcdctl uses.",
      severity: "warning",
    },
  },
  run({ snapshot, report, now }) {
    for (const data of snapshot.controlPlane?.etcd ?? []) {
      const state = etcdState(data);
      const ref = memberRef(state.url);
      const member = ref.name;
      const investigate = [{ step: "Ask etcd for its status and alarms", command: `etcdctl --endpoints=${state.url} endpoint status -w table && etcdctl --endpoints=${state.url} alarm list`, result: "see the evidence", outcome: "problem" as const }];
      if (!data.health && !data.metrics) {
        report("unreachable", { subject: ref, data: { member, url: state.url, error: state.error ?? "no answer" }, evidence: [{ ref, path: "etcd.error", value: state.error ?? "no answer" }] });
        continue;
      }
      const sizeEvidence = (): Evidence[] => [
        ...(state.dbSize !== undefined ? [{ ref, path: "metrics.etcd_mvcc_db_total_size_in_bytes", value: state.dbSize }] : []),
        ...(state.quota !== undefined ? [{ ref, path: "metrics.etcd_server_quota_backend_bytes", value: state.quota }] : []),
      ];
      const size = state.dbSize !== undefined && state.quota !== undefined ? `${mib(state.dbSize)} of ${mib(state.quota)}` : "size unknown";
      if (state.noSpace) {
        report("noSpace", {
          subject: ref,
          data: { member, size },
          evidence: [{ ref, path: "/health", value: data.health!.text.trim() }, ...sizeEvidence()],
          investigation: investigate,
          remediation: [DEFRAG, { description: "Disarm the NOSPACE alarm once there is room", command: "etcdctl alarm disarm", verify: "etcdctl alarm list   # empty" }],
        });
      } else if (state.dbSize !== undefined && state.quota !== undefined && state.quota > 0) {
        const ratio = state.dbSize / state.quota;
        if (ratio >= 0.8) {
          report(ratio >= 0.95 ? "dbFull" : "dbNearQuota", {
            subject: ref,
            data: { member, size: mib(state.dbSize), quota: mib(state.quota), percent: (Math.floor(ratio * 1000) / 10).toFixed(1) },
            evidence: sizeEvidence(),
            investigation: investigate,
            remediation: [DEFRAG],
          });
        }
      }
      if (state.health && !state.health.healthy && !state.noSpace && state.hasLeader !== false) {
        report("unhealthy", { subject: ref, data: { member, status: state.health.status, reason: state.health.reason || "(none given)" }, evidence: [{ ref, path: "/health", value: data.health!.text.trim() }], investigation: investigate });
      }
      if (state.hasLeader === false) {
        report("noLeader", {
          subject: ref,
          data: { member },
          evidence: [{ ref, path: "metrics.etcd_server_has_leader", value: 0 }, ...(data.health ? [{ ref, path: "/health", value: data.health.text.trim() }] : [])],
          investigation: investigate,
        });
      }
      if (state.leaderChanges !== undefined && state.startTime !== undefined) {
        const uptime = now / 1000 - state.startTime;
        const changes = state.leaderChanges - 1;
        if (uptime > 0 && changes >= LEADER_CHANGES_PER_WINDOW && changes / Math.max(uptime, LEADER_WINDOW_SECONDS) >= LEADER_CHANGES_PER_WINDOW / LEADER_WINDOW_SECONDS) {
          report("leaderChanges", {
            subject: ref,
            data: { member, changes, total: state.leaderChanges, uptime: `${Math.round(uptime / 60)} min` },
            evidence: [
              { ref, path: "metrics.etcd_server_leader_changes_seen_total", value: state.leaderChanges },
              { ref, path: "metrics.process_start_time_seconds", value: state.startTime, note: new Date(state.startTime * 1000).toISOString() },
            ],
            investigation: investigate,
          });
        }
      }
      const slow: string[] = [];
      const evidence: Evidence[] = [];
      const check = (name: string, label: string, value: EtcdState["walFsync"], limit: number): void => {
        if (!value || value.count < MIN_OBSERVATIONS || !(value.p99 > limit)) return;
        slow.push(`${label} p99 ${formatSeconds(value.p99)} (limit ${formatSeconds(limit)}) over ${value.count} operations`);
        evidence.push({ ref, path: `metrics.${name}`, value: `p99 ${formatSeconds(value.p99)}`, note: `${value.count} observations; histogram_quantile(0.99)` });
      };
      check("etcd_disk_wal_fsync_duration_seconds", "WAL fsync", state.walFsync, WAL_FSYNC_P99_LIMIT);
      check("etcd_disk_backend_commit_duration_seconds", "backend commit", state.backendCommit, BACKEND_COMMIT_P99_LIMIT);
      if (slow.length) report("slowDisk", { subject: ref, data: { member, detail: slow.join("; ") }, evidence, investigation: investigate });
    }
  },
});
