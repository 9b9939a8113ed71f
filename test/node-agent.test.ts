// The node agent end to end: `kubesleuth node` on a fixture root, then `scan` with a cluster snapshot
// and the node-diagnostics file; archives carry the file; bad files are refused in one line.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, repoRoot } from "./cli-harness.js";
import { schemaErrors } from "./report-schema.js";
import type { Report } from "../src/model/finding.js";
import { loadSnapshot } from "../src/sources/snapshot/load-snapshot.js";
import { writeArchive } from "../src/sources/archive/write-archive.js";
import { startFakeApiServer, writeKubeconfig } from "../src/sources/live/testing/fake-api-server.js";
import type { KubeObject, Node } from "../src/model/kube.js";
import { parse as parseYaml } from "yaml";
import { loadFixture } from "../src/testing/load-fixture.js";
import { runAnalyzers } from "../src/run/run-analyzers.js";
import { ANALYZERS } from "../src/analyzers/registry.js";

/** cp-1 NotReady since the day before; worker-1 Ready. */
const CLUSTER = `
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Node
    metadata: { name: cp-1, creationTimestamp: "2026-01-01T00:00:00Z" }
    status:
      nodeInfo: { containerRuntimeVersion: "containerd://1.7.22" }
      conditions:
        - { type: Ready, status: "False", reason: KubeletNotReady, message: "PLEG is not healthy", lastTransitionTime: "2026-11-27T10:00:00Z", lastHeartbeatTime: "2026-11-28T09:59:00Z" }
  - apiVersion: v1
    kind: Node
    metadata: { name: worker-1, creationTimestamp: "2026-01-01T00:00:00Z" }
    status:
      conditions:
        - { type: Ready, status: "True", reason: KubeletReady, lastTransitionTime: "2026-11-01T00:00:00Z" }
`;

describe("kubesleuth node + scan", () => {
  let dir: string;
  let root: string;
  let nodeFile: string;
  let clusterFile: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "ks-node-cli-"));
    root = join(dir, "root");
    cpSync(join(repoRoot, "test/fixtures/node-root/control-plane"), root, { recursive: true });
    nodeFile = join(dir, "node-cp-1.json");
    clusterFile = join(dir, "cluster.yaml");
    writeFileSync(clusterFile, CLUSTER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a node-diagnostics file named after the host (/etc/hostname CP-1 -> cp-1)", async () => {
    const run = await runCli(["node", "--root", root, "-o", nodeFile]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^wrote .*node-cp-1\.json: node cp-1; not available: /);
    const doc = JSON.parse(readFileSync(nodeFile, "utf8"));
    assert.equal(doc.format, "kubesleuth-node-diagnostics");
    assert.equal(doc.node, "cp-1");
    assert.equal(doc.collectedAt, "2026-11-28T00:00:00Z"); // the harness clock
  });

  it("teaches both ways to run it in --help", async () => {
    const run = await runCli(["node", "--help"]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /kubectl debug node\/worker-1 .*--image=IMAGE/s);
    assert.match(run.stdout, /-- kubesleuth node --root \/host --node-name worker-1/);
    assert.match(run.stdout, /-- chroot \/host kubesleuth node --node-name worker-1/);
  });

  it("refuses a bad --since in one line", async () => {
    const run = await runCli(["node", "--root", root, "--since", "yesterday"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^kubesleuth: --since "yesterday"/);
  });

  it("scan merges the file with the cluster: the stopped kubelet is the root cause of cp-1 NotReady", async () => {
    const run = await runCli(["scan", clusterFile, nodeFile, "-o", "json", "--now", "2026-11-28T10:30:00Z"]);
    const report = JSON.parse(run.stdout) as Report;
    assert.deepEqual(schemaErrors(report), []);
    const codes = report.findings.filter((f) => f.subject.name === "cp-1").map((f) => f.code).sort();
    // What the fixture root holds (test/fixtures/node-root/control-plane):
    //   usr/bin/kubelet but no process named kubelet under proc/ -> kubelet installed, not running
    //   kern.log: one "Killed process 48213 (java)", two "nf_conntrack: table full"
    //   proc/sys/net/ipv4/ip_forward 0, and cp-1 is a Node of the snapshot
    //   manifests: --etcd-servers :2379 vs etcd listening on :22379; front-proxy-client.crt, sa.key,
    //   etcd/ca.crt, apiserver*.crt/key (no PKI in the tree) and tokens.csv missing; broken.yaml
    // Disk findings depend on this machine's /tmp filesystem and are left out of the comparison.
    assert.deepEqual(
      codes.filter((c) => !c.startsWith("node-disk-nearly-full/")),
      [
        "node-conntrack-exhausted/droppingPackets",
        "node-forwarding-disabled/ipForwardOff",
        "node-oom-kills/oomKills",
        "node-service-down/kubeletDown",
        "static-pod-manifest-invalid/etcdUrlMismatch",
        "static-pod-manifest-invalid/missingFile",
        "static-pod-manifest-invalid/unparseable",
      ],
    );
    const kubelet = report.findings.find((f) => f.code === "node-service-down/kubeletDown")!;
    assert.deepEqual(kubelet.related?.map((r) => r.code), ["node-not-ready/notReady"]);
    assert.equal(report.findings.filter((f) => f.code.startsWith("node-not-ready/")).length, 0, "node-not-ready stands under its cause, not alone");
    assert.ok(!report.findings.some((f) => f.subject.name === "worker-1"), "worker-1 has no file and is Ready");
    assert.ok(!run.stdout.includes("do-not-print-me"), "secret-looking flag values are redacted");
    assert.equal(run.code, 1); // error findings at the default --fail-on error
  });

  it("inspect lists the node-diagnostics files and what they lack", async () => {
    const run = await runCli(["inspect", clusterFile, nodeFile]);
    assert.equal(run.code, 0, run.stderr);
    // the fixture root has no PKI (the unit test generates one; this one does not)
    assert.match(run.stdout, /Node diagnostics \(1\):\n {2}cp-1 {2}collected 2026-11-28T00:00:00Z; not available: certificates\n/);
  });

  it("archives carry the file: load, write, load again", async () => {
    const first = await loadSnapshot([clusterFile, nodeFile]);
    assert.deepEqual(first.source.formats, ["kubectl-yaml", "node-diagnostics"]);
    const archive = join(dir, "cluster.tar.gz");
    await writeArchive(first, archive, { serverUrl: "https://example:6443" });
    const second = await loadSnapshot([archive]);
    assert.deepEqual(second.nodeDiagnostics, first.nodeDiagnostics);
    assert.equal(second.objects.get("Node")?.length, 2);
  });

  it("snapshot --node-diagnostics carries the file into a live capture's archive", async () => {
    const nodes = (parseYaml(CLUSTER) as { items: KubeObject[] }).items;
    const server = await startFakeApiServer({ objects: nodes, tls: false });
    const kubeconfig = writeKubeconfig({ server: server.url });
    try {
      const archive = join(dir, "live.tar.gz");
      const run = await runCli(["snapshot", "-o", archive, "--kubeconfig", kubeconfig.path, "--node-diagnostics", nodeFile]);
      assert.equal(run.code, 0, run.stderr);
      const scan = await runCli(["scan", archive, "-o", "json", "--now", "2026-11-28T10:30:00Z"]);
      const report = JSON.parse(scan.stdout) as Report;
      const kubelet = report.findings.find((f) => f.code === "node-service-down/kubeletDown");
      assert.equal(kubelet?.subject.name, "cp-1");
      assert.deepEqual(kubelet?.related?.map((r) => r.code), ["node-not-ready/notReady"]);
      // a cluster file is not a node-diagnostics file
      const wrong = await runCli(["snapshot", "-o", join(dir, "x.tar.gz"), "--kubeconfig", kubeconfig.path, "--node-diagnostics", clusterFile]);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /^kubesleuth: --node-diagnostics: .*cluster\.yaml is not a node-diagnostics file/);
    } finally {
      kubeconfig.cleanup();
      await server.close();
    }
  });

  it("refuses a node-diagnostics file of another format version, in one line", async () => {
    const doc = JSON.parse(readFileSync(nodeFile, "utf8"));
    const bad = join(dir, "node-v2.json");
    writeFileSync(bad, JSON.stringify({ ...doc, formatVersion: 2 }));
    const run = await runCli(["scan", clusterFile, bad]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^kubesleuth: .*node-v2\.json.*formatVersion 2 is not supported/);
    assert.equal(run.stderr.trim().split("\n").length, 1);
  });
});

describe("grouping with node-diagnostics", () => {
  it("DiskPressure stands under the full runtime filesystem that explains it", () => {
    // worker-1: DiskPressure=True and /var/lib/containerd 12% available (below imagefs.available<15%)
    const snapshot = loadFixture(new URL("../src/analyzers/node/node-disk-nearly-full/fixtures/fires-below-threshold.yaml", import.meta.url));
    const { report } = runAnalyzers(snapshot, ANALYZERS, { now: Date.parse("2026-11-28T10:00:00Z") });
    assert.deepEqual(report.findings.map((f) => f.code), ["node-disk-nearly-full/belowEvictionThreshold"]);
    assert.deepEqual(report.findings[0]!.related?.map((r) => r.code), ["node-pressure/diskPressure"]);
  });

  it("a NotReady node whose services are all up keeps its own finding", () => {
    const snapshot = loadFixture(new URL("../src/analyzers/node/node-service-down/fixtures/quiet-services-up.yaml", import.meta.url));
    const nodes = (snapshot.objects.get("Node") as Node[]).map((n) => ({
      ...n,
      status: { ...n.status, conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady", message: "PLEG is not healthy", lastTransitionTime: "2026-11-27T00:00:00Z" }] },
    }));
    const { report } = runAnalyzers({ ...snapshot, objects: new Map([...snapshot.objects, ["Node", nodes]]) }, ANALYZERS, { now: Date.parse("2026-11-28T10:00:00Z") });
    assert.deepEqual(report.findings.map((f) => f.code), ["node-not-ready/notReady"]);
  });
});
