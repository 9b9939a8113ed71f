// The connectivity diagnosis hop by hop. Expected outcomes come from Kubernetes semantics written
// down at each case (NetworkPolicy API, DNS for Services and Pods, EndpointSlice conditions), never
// from running the engine.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { buildIndex } from "../../indexes/build-index.js";
import type { PodLog } from "../../model/snapshot.js";
import { snapshotFromYaml } from "../../testing/load-fixture.js";
import { ConnectivityError, diagnoseConnectivity, parseServiceName, type ConnectivityDiagnosis, type ConnectivityTarget } from "./index.js";

/** web/storefront (app=storefront) -> shop/orders Service (port 80 -> targetPort http = 8080), one Ready backend on node-b. */
const BASE = `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: Namespace
metadata: { name: web }
---
apiVersion: v1
kind: Namespace
metadata: { name: kube-system }
---
apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec: { clusterIP: 10.0.0.20, selector: { app: orders }, ports: [{ name: http, port: 80, targetPort: http }] }
---
apiVersion: v1
kind: Pod
metadata: { name: orders-1, namespace: shop, labels: { app: orders } }
spec: { nodeName: node-b, containers: [{ name: orders, image: orders:1, ports: [{ name: http, containerPort: 8080 }] }] }
status: { phase: Running, podIP: 10.244.2.5, conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: v1
kind: Pod
metadata: { name: storefront-1, namespace: web, labels: { app: storefront } }
spec: { nodeName: node-a, containers: [{ name: storefront, image: storefront:2 }] }
status: { phase: Running, podIP: 10.244.1.7, conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: v1
kind: Node
metadata: { name: node-a }
status: { conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: v1
kind: Node
metadata: { name: node-b }
status: { conditions: [{ type: Ready, status: "True" }] }
`;

/** CoreDNS as kubeadm deploys it: Service kube-dns (53/UDP, 53/TCP -> named ports), one Ready pod, the default Corefile. */
const COREDNS = `
---
apiVersion: v1
kind: Service
metadata: { name: kube-dns, namespace: kube-system }
spec:
  clusterIP: 10.0.0.10
  selector: { k8s-app: kube-dns }
  ports: [{ name: dns, port: 53, protocol: UDP, targetPort: 53 }, { name: dns-tcp, port: 53, protocol: TCP, targetPort: 53 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: coredns, namespace: kube-system, uid: d1 }
spec: { selector: { matchLabels: { k8s-app: kube-dns } } }
---
apiVersion: v1
kind: Pod
metadata: { name: coredns-1, namespace: kube-system, labels: { k8s-app: kube-dns } }
spec: { nodeName: node-a, containers: [{ name: coredns, image: coredns:1.11, ports: [{ name: dns, containerPort: 53, protocol: UDP }, { name: dns-tcp, containerPort: 53, protocol: TCP }] }] }
status: { phase: Running, podIP: 10.244.1.2, conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: coredns, namespace: kube-system }
data:
  Corefile: |
    .:53 {
        errors
        health
        kubernetes cluster.local in-addr.arpa ip6.arpa
        forward . /etc/resolv.conf
        cache 30
        loop
        reload
    }
`;

/** default-deny ingress in shop plus an allow for app=web from namespace web: storefront (app=storefront) is not admitted. */
const DENY_INGRESS = `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-ingress, namespace: shop }
spec: { podSelector: {}, policyTypes: [Ingress] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: orders-from-web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: orders } }
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: web } }, podSelector: { matchLabels: { app: web } } }], ports: [{ port: http }] }]
`;

const STOREFRONT = { type: "object" as const, ref: { kind: "Pod", namespace: "web", name: "storefront-1" } };

function run(yaml: string, to: ConnectivityTarget, options: Parameters<typeof diagnoseConnectivity>[3] = {}): ConnectivityDiagnosis {
  return diagnoseConnectivity(buildIndex(snapshotFromYaml(yaml)), STOREFRONT, to, options);
}

function statuses(d: ConnectivityDiagnosis): Record<string, string> {
  return Object.fromEntries(d.hops.map((h) => [h.id, h.status]));
}

describe("diagnoseConnectivity", () => {
  it("NetworkPolicy: ingress isolation names both policies and proposes an additive ingress policy that allows it", () => {
    const d = run(BASE + COREDNS + DENY_INGRESS, { type: "dns", name: "orders.shop.svc.cluster.local" });
    // DNS: Service exists, ClusterFirst, CoreDNS Ready, no egress policy in web. CNI: no DaemonSet loaded at all.
    assert.deepEqual(statuses(d), { dns: "passed", service: "passed", endpoints: "passed", "network-policy": "failed", nodes: "passed", cni: "unknown" });
    assert.equal(d.verdict, "failed");
    assert.equal(d.rootCause?.hop, "network-policy");
    assert.deepEqual(d.blockingPolicies.map((p) => p.name), ["default-deny-ingress", "orders-from-web"]);
    // The targetPort "http" resolves to 8080 on orders-1: the policy sees the pod port.
    assert.deepEqual(d.servicePort, { port: 80, name: "http", targetPort: "http" });
    assert.equal(d.fixes.length, 1);
    assert.equal(d.fixes[0]!.verified, true);
    // The proposal: select the Service's pods, admit app=storefront of namespace web (AND, one peer), on 8080/TCP.
    const policy = parse(d.fixes[0]!.yaml!) as { metadata: { namespace: string }; spec: { podSelector: unknown; policyTypes: string[]; ingress: unknown[] } };
    assert.equal(policy.metadata.namespace, "shop");
    assert.deepEqual(policy.spec.podSelector, { matchLabels: { app: "orders" } });
    assert.deepEqual(policy.spec.policyTypes, ["Ingress"]);
    assert.deepEqual(policy.spec.ingress, [{ from: [{ podSelector: { matchLabels: { app: "storefront" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "web" } } }], ports: [{ protocol: "TCP", port: 8080 }] }]);
  });

  it("NetworkPolicy: egress isolation of the source (DNS allowed, nothing else) is the source's egress", () => {
    const egressOnlyDns = `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: egress-dns-only, namespace: web }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{ to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } }, podSelector: { matchLabels: { k8s-app: kube-dns } } }], ports: [{ protocol: UDP, port: 53 }, { protocol: TCP, port: 53 }] }]
`;
    const d = run(BASE + COREDNS + egressOnlyDns, { type: "dns", name: "orders.shop" });
    assert.equal(statuses(d).dns, "passed", "the egress rule admits 53/UDP and 53/TCP to the CoreDNS pod");
    assert.equal(d.rootCause?.hop, "network-policy");
    assert.deepEqual(d.blockingPolicies.map((p) => `${p.namespace}/${p.name}`), ["web/egress-dns-only"]);
    assert.equal(d.fixes.length, 1);
    const policy = parse(d.fixes[0]!.yaml!) as { metadata: { namespace: string }; spec: { policyTypes: string[]; egress: { to: unknown[] }[] } };
    assert.deepEqual([policy.metadata.namespace, policy.spec.policyTypes], ["web", ["Egress"]]);
    assert.deepEqual(policy.spec.egress[0]!.to, [{ podSelector: { matchLabels: { app: "orders" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } }]);
    assert.equal(d.fixes[0]!.verified, true);
  });

  it("DNS: an egress default-deny blocks 53/UDP and 53/TCP to CoreDNS; DNS is the root cause and the fix allows DNS", () => {
    const denyEgress = `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny-egress, namespace: web }
spec: { podSelector: {}, policyTypes: [Egress] }
`;
    const d = run(BASE + COREDNS + denyEgress, { type: "dns", name: "orders.shop" });
    assert.equal(statuses(d).dns, "failed");
    assert.equal(statuses(d)["network-policy"], "failed", "the same policy also denies 8080");
    assert.equal(d.rootCause?.hop, "dns", "the earlier hop is the root cause");
    assert.match(d.rootCause!.summary, /NetworkPolicy denies DNS: denied on 53\/UDP and 53\/TCP/);
    const policy = parse(d.fixes[0]!.yaml!) as { spec: { podSelector: unknown; egress: { to: unknown[]; ports: unknown[] }[] } };
    assert.deepEqual(policy.spec.egress[0]!.ports, [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }]);
    assert.deepEqual(policy.spec.egress[0]!.to, [{ podSelector: { matchLabels: { "k8s-app": "kube-dns" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }]);
    assert.equal(d.fixes[0]!.verified, true);
  });

  it("DNS: the loop plugin's 'Loop ... detected' with forward . /etc/resolv.conf; the default Corefile alone is healthy", () => {
    const loopLine = '[FATAL] plugin/loop: Loop (127.0.0.1:34536 -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547991504243258144.3688648895315093531."';
    const logs: PodLog[] = [{ namespace: "kube-system", pod: "coredns-1", container: "coredns", previous: true, text: `${loopLine}\n` }];
    const looping = run(BASE + COREDNS, { type: "dns", name: "orders.shop" }, { logs });
    assert.equal(looping.rootCause?.hop, "dns");
    const dns = looping.hops.find((h) => h.id === "dns")!;
    assert.ok(dns.evidence.some((e) => e.value === loopLine));
    assert.ok(dns.evidence.some((e) => e.value === "forward . /etc/resolv.conf"));
    // The same Corefile without loop logs is kubeadm's default: no finding.
    assert.equal(statuses(run(BASE + COREDNS, { type: "dns", name: "orders.shop" })).dns, "passed");
    // Forwarding to 127.0.0.53 from inside the CoreDNS pod (not hostNetwork) reaches CoreDNS itself.
    const stub = run(BASE + COREDNS.replace("forward . /etc/resolv.conf", "forward . 127.0.0.53"), { type: "dns", name: "orders.shop" });
    assert.equal(stub.rootCause?.hop, "dns");
    assert.match(stub.rootCause!.summary, /own loopback/);
  });

  it("DNS: dnsPolicy Default (the node's resolver) cannot resolve Service names; a missing Service is NXDOMAIN", () => {
    const d = run(BASE.replace("containers: [{ name: storefront", "dnsPolicy: Default, containers: [{ name: storefront"), { type: "dns", name: "orders.shop" });
    assert.equal(d.rootCause?.hop, "dns");
    assert.match(d.rootCause!.summary, /node's resolver/);
    const missing = run(BASE, { type: "dns", name: "billing.shop.svc.cluster.local" });
    assert.deepEqual(statuses(missing), { dns: "failed", service: "skipped", endpoints: "skipped", "network-policy": "skipped", nodes: "passed", cni: "unknown" });
    assert.match(missing.rootCause!.summary, /no Service billing in namespace shop/);
  });

  it("a namespace whose objects are not in the snapshot (a source narrowed with -n) is no NXDOMAIN", () => {
    // Keep only the Namespace objects and web's objects, as `-n web` would.
    const narrowed = BASE.split("\n---\n").filter((doc) => doc.includes("kind: Namespace") || doc.includes("kind: Node") || doc.includes("namespace: web")).join("\n---\n");
    const d = run(narrowed, { type: "dns", name: "orders.shop" });
    assert.equal(statuses(d).dns, "unknown");
    assert.equal(d.verdict, "unknown");
    assert.match(d.hops[0]!.need ?? "", /the objects of namespace shop/);
  });

  it("Service: a port the Service does not have; Endpoints: no ready endpoint in the EndpointSlice", () => {
    const wrongPort = run(BASE, { type: "dns", name: "orders.shop" }, { port: 9090 });
    assert.equal(wrongPort.rootCause?.hop, "service");
    const notReady = `
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: orders-abc, namespace: shop, labels: { kubernetes.io/service-name: orders } }
addressType: IPv4
endpoints: [{ addresses: [10.244.2.5], conditions: { ready: false }, targetRef: { kind: Pod, name: orders-1, namespace: shop } }]
ports: [{ name: http, port: 8080, protocol: TCP }]
`;
    const d = run(BASE + notReady, { type: "dns", name: "orders.shop" });
    assert.equal(d.rootCause?.hop, "endpoints");
    assert.match(d.rootCause!.summary, /0 ready, 1 not ready endpoint\(s\) \(EndpointSlice\)/);
  });

  it("Nodes and CNI: a NotReady node of the destination; the CNI pod on a node of the path not ready", () => {
    const nodeDown = run(BASE.replace(/(name: node-b \}\nstatus: \{ conditions: \[\{ type: Ready, status: )"True"/, '$1"False", reason: KubeletNotReady'), { type: "address", ip: "10.0.0.20" });
    assert.equal(statuses(nodeDown).dns, "skipped", "a ClusterIP needs no lookup");
    assert.equal(nodeDown.rootCause?.hop, "nodes");
    const calico = `
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: calico-node, namespace: kube-system, uid: ds1 }
spec: { selector: { matchLabels: { k8s-app: calico-node } } }
status: { desiredNumberScheduled: 2, numberReady: 1 }
---
apiVersion: v1
kind: Pod
metadata: { name: calico-node-a, namespace: kube-system, labels: { k8s-app: calico-node }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: calico-node, uid: ds1, controller: true }] }
spec: { nodeName: node-a, hostNetwork: true, containers: [{ name: calico-node, image: calico/node:3 }] }
status: { phase: Running, conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: v1
kind: Pod
metadata: { name: calico-node-b, namespace: kube-system, labels: { k8s-app: calico-node }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: calico-node, uid: ds1, controller: true }] }
spec: { nodeName: node-b, hostNetwork: true, containers: [{ name: calico-node, image: calico/node:3 }] }
status: { phase: Running, conditions: [{ type: Ready, status: "False" }], containerStatuses: [{ name: calico-node, ready: false, restartCount: 4 }] }
`;
    const cni = run(BASE + calico, { type: "object", ref: { kind: "Service", namespace: "shop", name: "orders" } });
    assert.equal(cni.rootCause?.hop, "cni");
    assert.match(cni.rootCause!.summary, /Calico is not running ready on node-b/);
    const healthy = run(BASE + calico.replace('status: { phase: Running, conditions: [{ type: Ready, status: "False" }]', 'status: { phase: Running, conditions: [{ type: Ready, status: "True" }]'), { type: "object", ref: { kind: "Service", namespace: "shop", name: "orders" } });
    assert.equal(statuses(healthy).cni, "passed");
  });

  it("a pod destination needs --port; questions that cannot be asked throw ConnectivityError", () => {
    const d = run(BASE, { type: "object", ref: { kind: "Pod", namespace: "shop", name: "orders-1" } }, { port: 8080 });
    assert.deepEqual([statuses(d).dns, statuses(d).service, statuses(d)["network-policy"]], ["skipped", "skipped", "passed"]);
    assert.throws(() => run(BASE, { type: "object", ref: { kind: "Pod", namespace: "shop", name: "orders-1" } }), ConnectivityError);
    assert.throws(() => run(BASE, { type: "address", ip: "192.0.2.1" }), ConnectivityError);
    assert.throws(() => run(BASE.replace("ports: [{ name: http, port: 80, targetPort: http }]", "ports: [{ name: http, port: 80, targetPort: http }, { name: grpc, port: 9090 }]"), { type: "dns", name: "orders.shop" }), /several ports: give --port/);
  });
});

describe("parseServiceName", () => {
  it("expands names as the ClusterFirst search path does", () => {
    assert.deepEqual(parseServiceName("orders", "web"), { service: "orders", namespace: "web", qualified: false });
    assert.deepEqual(parseServiceName("orders.shop", "web"), { service: "orders", namespace: "shop", qualified: true });
    assert.deepEqual(parseServiceName("orders.shop.svc", "web"), { service: "orders", namespace: "shop", qualified: true });
    assert.deepEqual(parseServiceName("Orders.Shop.svc.cluster.local.", "web"), { service: "orders", namespace: "shop", qualified: true });
    assert.deepEqual(parseServiceName("db-0.db.shop.svc.cluster.local", "web"), { hostname: "db-0", service: "db", namespace: "shop", qualified: true });
    assert.equal(parseServiceName("api.example.com", "web"), undefined);
    assert.equal(parseServiceName("bad_name", "web"), undefined);
  });
});
