import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson, kubectl, sleuth } from "../../e2e/harness.js";
import type { Report } from "../../../src/model/finding.js";

const backendNs = "e2e-network-policy-isolation";
const clientNs = "e2e-network-policy-isolation-client";
const manifestFile = fileURLToPath(new URL("manifests.yaml", import.meta.url));

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}
interface Peer { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } }
interface PolicyPort { protocol?: string; port?: number | string; endPort?: number }
interface NetworkPolicy {
  metadata: { name: string; namespace: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: { from?: Peer[]; ports?: PolicyPort[] }[] };
}
interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { containers: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}
interface Counted { status?: { availableReplicas?: number } }

/** A label selector as the API defines it: every matchLabels pair and every expression must hold; {} selects everything. */
function selects(selector: Selector, labels: Record<string, string> = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const ok =
      e.operator === "In" ? has && (e.values ?? []).includes(labels[e.key]!)
      : e.operator === "NotIn" ? !has || !(e.values ?? []).includes(labels[e.key]!)
      : e.operator === "Exists" ? has
      : !has;
    if (!ok) return false;
  }
  return true;
}

function ipv4(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  if (!base || base.includes(":") || ip.includes(":")) return false;
  const size = 2 ** (32 - Number(bits ?? 32));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

/** The ingress-isolating policies (spec.policyTypes contains Ingress, which the API defaults) selecting the pod. */
function isolating(policies: NetworkPolicy[], pod: Pod): NetworkPolicy[] {
  return policies.filter((p) => p.metadata.namespace === pod.metadata.namespace && (p.spec.policyTypes ?? ["Ingress"]).includes("Ingress") && selects(p.spec.podSelector, pod.metadata.labels));
}

/**
 * Whether a NetworkPolicy ingress peer admits the source pod (networking/v1 semantics): podSelector
 * alone = pods of the policy's own namespace; namespaceSelector alone = every pod of the selected
 * namespaces; both in one peer = the selected pods of the selected namespaces; ipBlock = by address
 * (counted as admitting when the source IP is inside, although CNIs may not apply ipBlocks to pod IPs).
 */
function peerAdmits(peer: Peer, policyNs: string, source: Pod, sourceNsLabels: Record<string, string>): boolean {
  if (peer.ipBlock) {
    const ip = source.status?.podIP ?? "";
    return inCidr(ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(ip, c));
  }
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, sourceNsLabels) : source.metadata.namespace === policyNs;
  const podOk = peer.podSelector ? selects(peer.podSelector, source.metadata.labels) : true;
  return nsOk && podOk;
}

/** Whether a rule's ports cover the destination port (absent/empty = all ports; a name resolves on the destination pod). */
function portAdmits(ports: PolicyPort[] | undefined, dest: { name?: string; port: number; protocol: string }): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== dest.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "string") return p.port === dest.name;
    return p.endPort ? dest.port >= p.port && dest.port <= p.endPort : dest.port === p.port;
  });
}

/** Names of the policies whose rules let `source` reach `dest` on the port; undefined when no policy isolates `dest` (all allowed). */
function admittedBy(policies: NetworkPolicy[], dest: Pod, port: { name?: string; port: number; protocol: string }, source: Pod, sourceNsLabels: Record<string, string>): string[] | undefined {
  const applying = isolating(policies, dest);
  if (applying.length === 0) return undefined;
  return applying
    .filter((p) => (p.spec.ingress ?? []).some((rule) => portAdmits(rule.ports, port) && (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peerAdmits(peer, p.metadata.namespace, source, sourceNsLabels)))))
    .map((p) => p.metadata.name);
}

const ready = (p: Pod): boolean => p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

export const scenario: Scenario = {
  name: "network-policy-isolation",
  description: "default-deny ingress in the backend namespace plus an allow rule for app=web cuts off the storefront (app=storefront) from orders",
  namespaces: [backendNs, clientNs],
  // From storefront's log line (a timeout calling orders.e2e-network-policy-isolation.svc), the
  // connectivity diagnosis finds the NetworkPolicy denial (checkState proves the denial independently).
  expect: [{ code: "pod-connection-failing/rootCause", subject: `Deployment/${clientNs}/storefront`, area: "network" }],
  async setup(env) {
    apply(env, { file: manifestFile });
  },
  async ready(env) {
    const orders = getJson<Counted>(env, ["deployment", "orders", "-n", backendNs]);
    const storefront = getJson<Counted>(env, ["deployment", "storefront", "-n", clientNs]);
    const policies = getJson<{ items: unknown[] }>(env, ["networkpolicies", "-n", backendNs]);
    const pods = getJson<{ items: Pod[] }>(env, ["pods", "-n", backendNs]).items.concat(getJson<{ items: Pod[] }>(env, ["pods", "-n", clientNs]).items);
    const crashing = getJson<{ items: (Pod & { status?: { containerStatuses?: { restartCount?: number }[] } })[] }>(env, ["pods", "-n", clientNs, "-l", "app=storefront"]).items;
    const storefrontCrashing = storefront !== undefined && crashing.length === 1 && (crashing[0]!.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0;
    return orders.status?.availableReplicas === 2 && storefrontCrashing && policies.items.length === 2 && pods.every((p) => p.status?.podIP);
  },
  async checkState(env) {
    // 1. The policies exist as applied: the stored spec (after API defaulting, which the manifest
    //    already spells out: policyTypes, protocol TCP) equals the manifest's.
    const policies = getJson<{ items: NetworkPolicy[] }>(env, ["networkpolicies", "-n", backendNs]).items;
    const applied = parseAllDocuments(readFileSync(manifestFile, "utf8"))
      .map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: unknown })
      .filter((d) => d?.kind === "NetworkPolicy");
    assert.deepEqual(policies.map((p) => p.metadata.name).sort(), applied.map((d) => d.metadata.name).sort());
    for (const d of applied) assert.deepEqual(policies.find((p) => p.metadata.name === d.metadata.name)?.spec, d.spec, `NetworkPolicy ${d.metadata.name} as stored`);

    // 2. The backends run and are Ready; the caller runs (crash-looping, not Ready: it exits when orders times out).
    const backends = getJson<{ items: Pod[] }>(env, ["pods", "-n", backendNs, "-l", "app=orders"]).items;
    const callers = getJson<{ items: Pod[] }>(env, ["pods", "-n", clientNs, "-l", "app=storefront"]).items;
    assert.equal(backends.filter(ready).length, 2, "orders pods Running and Ready");
    assert.equal(callers.filter((p) => p.status?.phase === "Running").length, 1, "storefront pod Running");
    // 2b. kubectl logs of the caller (served by kwok from pod-logs/) carries the connection failure the scan starts from.
    const callerLog = kubectl(env, ["logs", "-n", clientNs, callers[0]!.metadata.name]);
    assert.match(callerLog, /orders\.e2e-network-policy-isolation\.svc.*context deadline exceeded/);

    const clientNsLabels = getJson<{ metadata: { labels?: Record<string, string> } }>(env, ["namespace", clientNs]).metadata.labels ?? {};
    for (const dest of backends) {
      // 3. Each backend pod is isolated for ingress: both policies select it.
      assert.deepEqual(isolating(policies, dest).map((p) => p.metadata.name).sort(), ["default-deny-ingress", "orders-from-web"], `policies isolating ${dest.metadata.name}`);
      const http = dest.spec.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === "http");
      assert.ok(http, `${dest.metadata.name} declares port http`);
      const port = { name: http.name, port: http.containerPort, protocol: http.protocol ?? "TCP" };
      // 4. No ingress rule admits the caller on the backend's port: default-deny has no rule, and
      //    orders-from-web admits app=web pods of the client namespace, not app=storefront.
      for (const source of callers) {
        assert.deepEqual(admittedBy(policies, dest, port, source, clientNsLabels), [], `${source.metadata.name} -> ${dest.metadata.name}:${port.port} is admitted`);
      }
      // 5. Not vacuous: the very same evaluation admits a pod of the client namespace labelled app=web,
      //    so the isolation comes from the label the rule names, not from the namespace or the port.
      const asIntended: Pod = { ...callers[0]!, metadata: { ...callers[0]!.metadata, labels: { app: "web" } } };
      assert.deepEqual(admittedBy(policies, dest, port, asIntended, clientNsLabels), ["orders-from-web"]);
    }
    // 6. storefront crash-loops because it cannot reach orders (its log holds the timeout): the crash loop
    //    is told once, under the connection's root cause, not as a second top-level finding.
    const scan = await sleuth(env, ["scan", "-o", "json", "--fail-on", "none"]);
    const findings = (JSON.parse(scan.stdout) as Report).findings;
    const rootCause = findings.find((f) => f.code === "pod-connection-failing/rootCause" && f.subject.name === "storefront");
    assert.ok(rootCause, `pod-connection-failing/rootCause in the scan: ${findings.map((f) => f.code).join(", ")}`);
    assert.ok(!findings.some((f) => f.code.startsWith("pod-crash-looping/") && f.subject.name === "storefront"), `crash loop not top-level: ${findings.map((f) => f.code).join(", ")}`);
    assert.ok(rootCause.related?.some((r) => r.code.startsWith("pod-crash-looping/") && r.subject.name === "storefront"), `crash loop grouped under the root cause: ${JSON.stringify(rootCause.related)}`);
  },
};
