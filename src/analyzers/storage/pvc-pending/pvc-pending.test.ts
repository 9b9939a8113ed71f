import { it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { pvcPending } from "./pvc-pending.js";

testAnalyzer(
  pvcPending,
  {
    quiet: [
      {
        name: "Bound; WaitForFirstConsumer without consumer and with an unscheduled one; provisioning under way; default class; fitting static PVs",
        fixture: "quiet-bound-and-waiting.yaml",
        now: "2024-05-01T10:00:00Z",
      },
      { name: "StorageClasses and PersistentVolumes not loaded", fixture: "quiet-kinds-not-loaded.yaml", now: "2024-05-01T10:00:00Z" },
      { name: "WaitForFirstConsumer PV pinned to the zone the consumer runs in", fixture: "quiet-wffc-zone-reachable.yaml", now: "2024-05-01T10:00:00Z" },
    ],
    fires: [
      {
        name: "storageClassName names a missing StorageClass (ProvisioningFailed not found)",
        fixture: "fires-class-not-found.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "storageClassNotFound",
            subject: "PersistentVolumeClaim/data/data-db-0",
            severity: "error",
            evidenceValues: ["fast-ssd", ["standard"], 'storageclass.storage.k8s.io "fast-ssd" not found'],
            affects: ["Pod/data/db-0"],
          },
        ],
      },
      {
        name: "no class, no default class, class-less PV too small",
        fixture: "fires-no-default-class.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "noStorageClass",
            subject: "PersistentVolumeClaim/cms/uploads",
            evidenceValues: [null, ["manual"], "no persistent volumes available for this claim and no storage class is set", "1Gi"],
          },
        ],
      },
      {
        name: "static binding: every PV misses one check; local no-provisioner class with a consumer and no PV",
        fixture: "fires-static-no-match.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "noMatchingVolume",
            subject: "PersistentVolumeClaim/finance/reports",
            evidenceValues: ["", "10Gi", ["ReadWriteOnce"], "5Gi", "finance/ledger", "Block"],
          },
          { messageId: "noMatchingVolume", subject: "PersistentVolumeClaim/finance/archive", evidenceValues: ["local-storage", 0], affects: ["Pod/finance/archiver-0"] },
        ],
      },
      {
        name: "Immediate no-provisioner class: the PV controller's ProvisioningFailed event decides before the grace",
        fixture: "fires-no-provisioner-immediate.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "noMatchingVolume",
            subject: "PersistentVolumeClaim/bi/reports-data",
            evidenceValues: ["local-immediate", "50Gi", "no volume plugin matched name: kubernetes.io/no-provisioner"],
          },
        ],
      },
      {
        name: "WaitForFirstConsumer: the only PV is pinned to a zone the consumer pod cannot run in",
        fixture: "fires-wffc-zone.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [{ messageId: "noMatchingVolume", subject: "PersistentVolumeClaim/fin/data-ledger-0", affects: ["Pod/fin/ledger-0"] }],
      },
      {
        name: "external provisioner reports ProvisioningFailed",
        fixture: "fires-provisioning-failed.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [{ messageId: "provisioningFailed", subject: "PersistentVolumeClaim/cms/media", evidenceValues: ["gp3", "ebs.csi.aws.com"] }],
      },
      {
        name: "static claim with no PV of its class; one PV differs only in class",
        fixture: "fires-only-other-class.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [{ messageId: "noMatchingVolume", subject: "PersistentVolumeClaim/app/cache", evidenceValues: ["hdd"] }],
      },
      {
        name: "only ExternalProvisioning for 20 minutes: provisioner silent (no controller pod names rook; hostpath's controller crash-loops)",
        fixture: "fires-provisioner-silent.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          {
            messageId: "provisionerNotResponding",
            subject: "PersistentVolumeClaim/monitoring/grafana",
            severity: "warning",
            evidenceValues: ["rook-ceph.rbd.csi.ceph.com", "2024-05-01T09:40:00Z"],
          },
          // csi-hostpathplugin-0 names --drivername=hostpath.csi.k8s.io and is not Ready (plugin crash-loops).
          { messageId: "provisionerNotResponding", subject: "PersistentVolumeClaim/monitoring/scratch", severity: "warning", evidenceValues: ["hostpath.csi.k8s.io", "Running"] },
        ],
      },
    ],
  },
  import.meta.url,
);

it("pvc-pending: a silent provisioner's controller is named when a pod names the driver, unknown when none does, absent when no pod runs a csi-provisioner", () => {
  const base = loadFixture(new URL("./fixtures/fires-provisioner-silent.yaml", import.meta.url));
  const at = Date.parse("2024-05-01T10:00:00Z");
  const findings = runAnalyzer(pvcPending, base, at);
  const scratch = findings.find((f) => f.subject.name === "scratch")!;
  assert.ok(scratch.rootCause.includes("kube-system/csi-hostpathplugin-0 is Running (CrashLoopBackOff) on node-1"), scratch.rootCause);
  // rook-ceph: one csi-provisioner pod exists (hostpath's) but nothing names rook-ceph.rbd.csi.ceph.com.
  const grafana = findings.find((f) => f.subject.name === "grafana")!;
  assert.ok(grafana.rootCause.includes("cannot determine which pod is its controller"), grafana.rootCause);
  // Without the hostpath pod, no pod runs a csi-provisioner at all, and no CSIDriver names rook's driver.
  const objects = new Map(base.objects);
  objects.set("Pod", []);
  const alone = runAnalyzer(pvcPending, { ...base, objects }, at).find((f) => f.subject.name === "grafana")!;
  assert.ok(alone.rootCause.includes("No pod in the cluster runs a csi-provisioner, and there is no CSIDriver object rook-ceph.rbd.csi.ceph.com"), alone.rootCause);
});

it("pvc-pending: with no PV of the wanted class, a PV that differs only in class is named, one with more mismatches is not", () => {
  const findings = runAnalyzer(pvcPending, loadFixture(new URL("./fixtures/fires-only-other-class.yaml", import.meta.url)), Date.parse("2024-05-01T10:00:00Z"));
  const cache = findings.find((f) => f.subject.name === "cache")!;
  const named = cache.evidence.filter((e) => e.ref?.kind === "PersistentVolume").map((e) => e.ref!.name);
  assert.deepEqual(named, ["hdd-1"]);
});
