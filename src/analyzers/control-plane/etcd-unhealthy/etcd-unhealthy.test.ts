import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { etcdUnhealthy } from "./etcd-unhealthy.js";

testAnalyzer(
  etcdUnhealthy,
  {
    quiet: [
      // A real idle etcd 3.6.16: leader, 24 KiB of 2 GiB, WAL fsync p99 < 4 ms, 14 backend commits (< 20: too few to judge).
      { name: "real etcd 3.6 metrics", fixture: "quiet-real-3.6.yaml", now: "2026-11-28T11:30:00Z" },
      // The test control plane's etcd right after up.sh: 436 KiB of 2 GiB, leader, one election.
      { name: "the test control plane's etcd", fixture: "quiet-test-cluster.yaml", now: "2026-11-28T11:33:30Z" },
      // 8 changes in 60 minutes: 2 per 15 minutes on average, and one scrape cannot show that any 15-minute window had 4.
      { name: "8 leader changes in an hour", fixture: "quiet-leader-changes-hour.yaml", now: "2026-11-28T12:21:45Z" },
      { name: "no etcd endpoint asked", yaml: "kind: KubesleuthControlPlane\nhealth: []\n" },
    ],
    fires: [
      {
        // 1825361101 / 2147483648 = 0.85: at or over 80 %, under 95 %.
        name: "database at 85 % of the quota",
        fixture: "fires-near-quota.yaml",
        now: "2026-11-28T11:30:00Z",
        expect: [{ messageId: "dbNearQuota", subject: "EtcdMember/127.0.0.1:23791", severity: "warning", evidenceValues: [1825361101, 2147483648] }],
      },
      {
        name: "database at 96 % of the quota",
        fixture: "fires-full.yaml",
        now: "2026-11-28T11:30:00Z",
        expect: [{ messageId: "dbFull", subject: "EtcdMember/127.0.0.1:23791", severity: "error", evidenceValues: [2061584302, 2147483648] }],
      },
      {
        // A real etcd 3.6.16 past a 1 MiB quota. NOSPACE is the cause; the failing /health and the over-quota size it explains are not reported again.
        name: "NOSPACE alarm",
        fixture: "fires-nospace.yaml",
        now: "2026-11-28T11:30:00Z",
        expect: [{ messageId: "noSpace", subject: "EtcdMember/127.0.0.1:23792", severity: "critical", evidenceValues: ['{"health":"false","reason":"ALARM NOSPACE"}', 1228800, 1048576] }],
      },
      {
        name: "no leader",
        fixture: "fires-no-leader.yaml",
        now: "2026-11-28T11:30:00Z",
        expect: [{ messageId: "noLeader", subject: "EtcdMember/10.0.0.5:2379", severity: "critical", evidenceValues: [0, '{"health":"false","reason":"RAFT NO LEADER"}'] }],
      },
      {
        // 8 changes in 20 minutes: 8 / 1200 s >= 4 / 900 s, so some 15-minute window held at least 4.
        name: "8 leader changes in 20 minutes",
        fixture: "fires-leader-changes.yaml",
        now: "2026-11-28T11:41:45.46Z",
        expect: [{ messageId: "leaderChanges", subject: "EtcdMember/10.0.0.5:2379", severity: "warning", evidenceValues: [9, 1795864905.46] }],
      },
      {
        // p99 by histogram_quantile: rank 99 in (0.032, 0.064] holding 10 observations, 9 below the rank: 0.032 + 0.032 * 9/10 = 0.0608 s > 10 ms.
        name: "slow WAL fsync",
        fixture: "fires-slow-disk.yaml",
        now: "2026-11-28T11:30:00Z",
        expect: [{ messageId: "slowDisk", subject: "EtcdMember/10.0.0.5:2379", severity: "warning", evidenceValues: ["p99 0.061s"] }],
      },
      {
        name: "CORRUPT alarm in /health",
        fixture: "fires-corrupt.yaml",
        now: "2026-11-28T11:30:00Z",
        expect: [{ messageId: "unhealthy", subject: "EtcdMember/127.0.0.1:23791", severity: "error", evidenceValues: ['{"health":"false","reason":"ALARM CORRUPT"}'] }],
      },
      {
        name: "endpoint unreachable",
        fixture: "fires-unreachable.yaml",
        expect: [{ messageId: "unreachable", subject: "EtcdMember/10.0.0.9:2379", severity: "warning", evidenceValues: ["/health: connect ECONNREFUSED 10.0.0.9:2379; /metrics: connect ECONNREFUSED 10.0.0.9:2379"] }],
      },
    ],
  },
  import.meta.url,
);
