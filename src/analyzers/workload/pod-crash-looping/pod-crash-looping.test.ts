import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { podCrashLooping } from "./pod-crash-looping.js";

const NOW = "2024-05-14T10:00:00Z";

testAnalyzer(
  podCrashLooping,
  {
    quiet: [
      {
        // Old restarts, a single recent restart, Completed and Failed Job pods, a new pod, a terminating pod.
        name: "healthy and borderline pods",
        fixture: "quiet-healthy-and-borderline.yaml",
        now: NOW,
      },
    ],
    fires: [
      {
        // Two crash-looping pods of one Deployment are one finding on the Deployment; a bare pod is
        // reported on itself; a pod whose ReplicaSet is not loaded on the ReplicaSet its ownerReferences name.
        name: "application errors: exit 1 in a Deployment, exit 127 in a bare pod, an unloaded owner",
        fixture: "fires-app-error.yaml",
        now: NOW,
        expect: [
          {
            messageId: "crashLoop",
            subject: "Deployment/shop/checkout",
            evidenceValues: ["api", "CrashLoopBackOff", "Error", 1, 12, "Back-off restarting failed container api in pod checkout-6f7c9d8b4-abcde_shop(uid-pod-checkout-abcde)"],
            affects: ["Pod/shop/checkout-6f7c9d8b4-abcde", "Pod/shop/checkout-6f7c9d8b4-fghij"],
          },
          { messageId: "crashLoop", subject: "Pod/shop/adhoc-runner", evidenceValues: [127, 'exec: "run-report": executable file not found in $PATH'] },
          { messageId: "crashLoop", subject: "ReplicaSet/shop/ledger-5c8d7f9b6", evidenceValues: [2] },
        ],
      },
      {
        // OOMKilled at the limit shows the limit; without a limit it is a different cause. The DaemonSet pod
        // is caught Running between crashes: 5 restarts, the last 3 minutes ago.
        name: "OOMKilled with and without a memory limit",
        fixture: "fires-oom-killed.yaml",
        now: NOW,
        expect: [
          { messageId: "oomKilled", subject: "StatefulSet/data/search", evidenceValues: ["OOMKilled", 137, "2Gi"], affects: ["Pod/data/search-0"] },
          { messageId: "oomKilledWithoutLimit", subject: "DaemonSet/kube-system/log-agent", evidenceValues: ["OOMKilled", 5, { requests: { cpu: "50m" } }] },
        ],
      },
      {
        name: "killed by its liveness probe; a one-shot command in a Deployment",
        fixture: "fires-liveness-and-clean-exit.yaml",
        now: NOW,
        expect: [
          {
            messageId: "livenessProbeKilled",
            subject: "Deployment/web/frontend",
            evidenceValues: ["Liveness probe failed: HTTP probe failed with statuscode: 500", 137, 4],
          },
          { messageId: "exitedCleanly", subject: "Deployment/tools/report-generator", evidenceValues: [0, "Completed", "Always"] },
        ],
      },
    ],
  },
  import.meta.url,
);

it("pod-crash-looping: the previous container's log tail is evidence (last 5 non-empty lines)", () => {
  const base = loadFixture(new URL("./fixtures/fires-app-error.yaml", import.meta.url));
  const text = ["starting checkout 2.3.1", "", "loading config", "connecting to db", "", "db: dial tcp 10.0.3.7:5432: connect: connection refused", "retrying", "fatal: giving up after 3 attempts", ""].join("\n");
  const snapshot = {
    ...base,
    logs: [
      { namespace: "shop", pod: "checkout-6f7c9d8b4-abcde", container: "api", previous: false, text: "starting checkout 2.3.1\n" },
      { namespace: "shop", pod: "checkout-6f7c9d8b4-abcde", container: "api", previous: true, text },
    ],
  };
  const finding = runAnalyzer(podCrashLooping, snapshot, Date.parse(NOW)).find((f) => f.subject.name === "checkout")!;
  const logLines = finding.evidence.filter((e) => e.path === "log");
  assert.deepEqual(
    logLines.map((e) => e.value),
    ["loading config", "connecting to db", "db: dial tcp 10.0.3.7:5432: connect: connection refused", "retrying", "fatal: giving up after 3 attempts"],
  );
  assert.ok(logLines.every((e) => e.note === "api" && e.ref?.name === "checkout-6f7c9d8b4-abcde"));
  const logStep = finding.investigation.find((s) => s.command.includes("--previous"))!;
  assert.equal(logStep.outcome, "problem");
  assert.equal(logStep.command, "kubectl logs checkout-6f7c9d8b4-abcde -n shop -c api --previous");
});

it("pod-crash-looping: OOMKilled remediation raises the limit with an exact command and a rollback", () => {
  const snapshot = loadFixture(new URL("./fixtures/fires-oom-killed.yaml", import.meta.url));
  const finding = runAnalyzer(podCrashLooping, snapshot, Date.parse(NOW)).find((f) => f.code === "pod-crash-looping/oomKilled")!;
  assert.equal(finding.remediation[0]!.command, "kubectl set resources statefulset/search -n data -c es --limits=memory=4Gi");
  assert.equal(finding.remediation[0]!.rollback, "kubectl set resources statefulset/search -n data -c es --limits=memory=2Gi");
  assert.equal(finding.remediation[0]!.verify, "kubectl rollout status statefulset/search -n data --timeout=5m");
});
