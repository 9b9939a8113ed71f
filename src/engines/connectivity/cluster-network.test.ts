// The shared cluster network checks. Expected values come from Kubernetes semantics written down at each
// case (podutil.IsPodReady, the EndpointSlice controller's selector, DaemonSet status, CoreDNS's loop
// plugin), and the agreement cases check that the scan's analyzers and `diagnose connectivity` decide
// the same fixture alike (both decisions stated by hand from the fixture's comment).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { buildIndex } from "../../indexes/build-index.js";
import type { DaemonSet, Pod } from "../../model/kube.js";
import type { PodLog } from "../../model/snapshot.js";
import { loadFixture, snapshotFromYaml } from "../../testing/load-fixture.js";
import { runAnalyzer } from "../../testing/analyzer-tester.js";
import { clusterDnsUnhealthy } from "../../analyzers/network/cluster-dns-unhealthy/cluster-dns-unhealthy.js";
import { cniDaemonsetDegraded } from "../../analyzers/network/cni-daemonset-degraded/cni-daemonset-degraded.js";
import { clusterDns, clusterDnsHealth, clusterDnsState, cniHealth, daemonSetHealth, isPodReady, nodeNetworkComponent, readyEndpointCount } from "./cluster-network.js";

const indexOf = (yaml: string) => buildIndex(snapshotFromYaml(yaml));
const pod = (status: Pod["status"]): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" }, status }) as Pod;
const ds = (name: string, labels?: Record<string, string>): DaemonSet => ({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "kube-system", ...(labels ? { labels } : {}) } }) as DaemonSet;

describe("cluster network: the shared definitions", () => {
  it("isPodReady is the Ready condition (podutil.IsPodReady), whatever the phase field says", () => {
    assert.equal(isPodReady(pod({ conditions: [{ type: "Ready", status: "True" }] })), true, "no phase recorded: the condition decides");
    assert.equal(isPodReady(pod({ phase: "Running", conditions: [{ type: "Ready", status: "False" }] })), false);
    assert.equal(isPodReady(pod({ phase: "Running" })), false, "no Ready condition is not Ready");
  });

  it("nodeNetworkComponent: CNI plugins and kube-proxy by name or label, Flannel's per-architecture DaemonSets; others are not", () => {
    assert.equal(nodeNetworkComponent(ds("kube-flannel-ds-amd64")), "Flannel", "flannel's pre-0.14 manifests: one DaemonSet per architecture");
    assert.equal(nodeNetworkComponent(ds("kube-flannel-ds")), "Flannel");
    assert.equal(nodeNetworkComponent(ds("aws-node")), "AWS VPC CNI");
    assert.equal(nodeNetworkComponent(ds("calico-node")), "Calico");
    assert.equal(nodeNetworkComponent(ds("cilium-agent", { "k8s-app": "cilium" })), "Cilium", "by the k8s-app label");
    assert.equal(nodeNetworkComponent(ds("kube-proxy")), "kube-proxy");
    assert.equal(nodeNetworkComponent(ds("node-exporter", { app: "node-exporter" })), undefined);
    assert.equal(nodeNetworkComponent(ds("flannel-exporter")), undefined, "only the architecture suffixes are flannel's");
  });

  const DNS = `
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system }
spec: { clusterIP: 10.96.0.10, selector: { k8s-app: coredns-renamed }, ports: [{ name: dns, port: 53, protocol: UDP }] }
---
apiVersion: v1
kind: Pod
metadata: { name: coredns-1, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec: { nodeName: n1, containers: [{ name: coredns, image: coredns/coredns:1.11.1 }] }
status: { phase: Running, podIP: 10.244.0.5, conditions: [{ type: Ready, status: "True" }] }
`;

  it("clusterDns: the kube-dns Service's selector decides its pods; a selector matching no pod is an outage", () => {
    // The EndpointSlice controller builds kube-dns's endpoints from its selector: a Ready pod labelled
    // k8s-app=kube-dns that the selector misses serves no lookup.
    const index = indexOf(DNS);
    assert.deepEqual(clusterDns(index).pods, []);
    const state = clusterDnsState(index, [], undefined);
    assert.equal(state.readyEndpoints, 0, "every pod was read and none matches the selector");
    assert.ok(state.problems.some((e) => e.path === "spec.selector" && e.note === "no pod serves the cluster DNS Service"));
    assert.equal(clusterDnsHealth(index, []).status, "failed");
    // Without a selector (endpoints managed by hand, or no Service at all) the label finds the pods.
    const labelled = indexOf(DNS.replace("selector: { k8s-app: coredns-renamed }, ", ""));
    assert.deepEqual(clusterDns(labelled).pods.map((p) => p.metadata.name), ["coredns-1"]);
  });

  it("readyEndpointCount counts distinct ready addresses (EndpointSlice ready nil = true, an address ready in one slice counts once)", () => {
    const slices = `
apiVersion: v1
kind: Service
metadata: { name: api, namespace: shop }
spec: { selector: { app: api }, ports: [{ port: 80 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: api-a, namespace: shop, labels: { kubernetes.io/service-name: api } }
addressType: IPv4
endpoints: [{ addresses: [10.0.0.1] }, { addresses: [10.0.0.2], conditions: { ready: false } }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: api-b, namespace: shop, labels: { kubernetes.io/service-name: api } }
addressType: IPv4
endpoints: [{ addresses: [10.0.0.1], conditions: { ready: true } }]
`;
    const index = indexOf(slices);
    assert.equal(readyEndpointCount(index, index.get("Service", "shop", "api")!), 1);
  });

  const CALICO = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: calico-node, namespace: kube-system, uid: ds1 }
spec: { selector: { matchLabels: { k8s-app: calico-node } } }
status: { desiredNumberScheduled: 1, numberReady: 0 }
---
apiVersion: v1
kind: Pod
metadata: { name: calico-node-a, namespace: kube-system, labels: { k8s-app: calico-node }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: calico-node, uid: ds1, controller: true }] }
spec: { nodeName: node-a, hostNetwork: true, containers: [{ name: calico-node, image: calico/node:3 }] }
status: { phase: Running, conditions: [{ type: Ready, status: "False", lastTransitionTime: "2024-05-14T09:59:30Z" }], containerStatuses: [{ name: calico-node, ready: false, restartCount: 0, state: { running: {} } }] }
`;

  it("daemonSetHealth: not Ready within the 60 s start-up grace is starting; past it, unhealthy with its error lines only", () => {
    const index = indexOf(CALICO);
    const calico = index.get<DaemonSet>("DaemonSet", "kube-system", "calico-node")!;
    // Ready False since 09:59:30: 20 s at 09:59:50 (starting), 90 s at 10:01:00 (unhealthy).
    const early = daemonSetHealth(index, [], calico, Date.parse("2024-05-14T09:59:50Z"));
    assert.deepEqual([early.unhealthy.length, early.starting.map((p) => p.metadata.name)], [0, ["calico-node-a"]]);
    const klog = "E0514 10:00:01.000000       1 main.go:42] failed to connect to the datastore";
    const info = "2024-05-14 10:00:02.000 [INFO][1] startup.go 100: no failed checks so far";
    const logs: PodLog[] = [{ namespace: "kube-system", pod: "calico-node-a", container: "calico-node", previous: false, text: `${info}\n${klog}\n` }];
    const late = daemonSetHealth(index, logs, calico, Date.parse("2024-05-14T10:01:00Z"));
    assert.deepEqual(late.nodes, ["node-a"]);
    assert.deepEqual(late.unhealthy[0]!.evidence.filter((e) => e.path === "log").map((e) => e.value), [klog], "an INFO line that says 'failed' is no error line");
    // The connectivity hop through node-a follows the same definition.
    assert.equal(cniHealth(index, logs, ["node-a"], Date.parse("2024-05-14T09:59:50Z")).status, "unknown", "starting: not yet decidable");
    assert.equal(cniHealth(index, logs, ["node-a"], Date.parse("2024-05-14T10:01:00Z")).status, "failed");
  });
});

describe("cluster network: the scan and diagnose connectivity agree", () => {
  const NOW = Date.parse("2024-05-14T10:00:00Z");
  const fixture = (analyzer: string, name: string) => loadFixture(new URL(`../../analyzers/network/${analyzer}/fixtures/${name}`, import.meta.url));

  it("CNI: calico-node crash looping on worker-2 and kube-proxy not Ready on worker-3 for 30 min fail those nodes' hops, not worker-1's", () => {
    const snapshot = fixture("cni-daemonset-degraded", "fires-calico-crash-looping.yaml");
    const index = buildIndex(snapshot);
    assert.deepEqual(runAnalyzer(cniDaemonsetDegraded, snapshot, NOW).map((f) => f.subject.name).sort(), ["calico-node", "kube-proxy"]);
    const worker2 = cniHealth(index, snapshot.logs, ["worker-2"], NOW);
    assert.equal(worker2.status, "failed");
    assert.match(worker2.summary, /Calico is not running ready on worker-2/);
    assert.match(cniHealth(index, snapshot.logs, ["worker-3"], NOW).summary, /kube-proxy is not running ready on worker-3/);
    // worker-1's calico-node is Ready; the fixture lists no kube-proxy pod there, which the analyzer does
    // not flag (it judges pods) and the hop leaves undecided: the DaemonSet may not target worker-1.
    assert.equal(cniHealth(index, snapshot.logs, ["worker-1"], NOW).status, "unknown");
  });

  it("CNI: a weave-net pod 20 s into its start-up is no finding and no failed hop", () => {
    const snapshot = fixture("cni-daemonset-degraded", "quiet-all-ready.yaml");
    assert.deepEqual(runAnalyzer(cniDaemonsetDegraded, snapshot, NOW), []);
    assert.notEqual(cniHealth(buildIndex(snapshot), snapshot.logs, ["worker-3"], NOW).status, "failed");
  });

  it("DNS: no ready endpoint is a critical finding and a failed DNS hop; one of two pods crash looping is a warning and a passed hop", () => {
    const down = fixture("cluster-dns-unhealthy", "fires-no-ready-endpoints.yaml");
    assert.deepEqual(runAnalyzer(clusterDnsUnhealthy, down, NOW).map((f) => f.severity), ["critical"]);
    assert.equal(clusterDnsHealth(buildIndex(down), down.logs, NOW).status, "failed");
    const degraded = fixture("cluster-dns-unhealthy", "fires-one-crash-looping.yaml");
    assert.deepEqual(runAnalyzer(clusterDnsUnhealthy, degraded, NOW).map((f) => f.severity), ["warning"]);
    assert.equal(clusterDnsHealth(buildIndex(degraded), degraded.logs, NOW).status, "passed", "the other CoreDNS pod still answers");
  });
});
