import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { NetworkPolicy, Pod } from "../../model/kube.js";
import { parseCidr, parseIp } from "./cidr.js";
import { formatConnections, parseConnections } from "./connections.js";
import { compilePolicies } from "./compile.js";
import { allowedConnections, evaluateConnection, type ConnectionInput } from "./evaluate.js";
import { buildConnectivityMatrix } from "./matrix.js";

function pod(namespace: string, name: string, labels: Record<string, string>, extra: Partial<Pod["spec"]> = {}, ip?: string): Pod {
  return { kind: "Pod", metadata: { name, namespace, labels }, spec: { containers: [{ name: "c", ports: [{ name: "http", containerPort: 8080 }, { name: "dns", containerPort: 53, protocol: "UDP" }] }], ...extra }, ...(ip ? { status: { podIP: ip } } : {}) };
}
function policy(namespace: string, name: string, spec: NetworkPolicy["spec"]): NetworkPolicy {
  return { kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}
const namespaces = [
  { metadata: { name: "web", labels: { team: "web" } } },
  { metadata: { name: "db", labels: { team: "db" } } },
  { metadata: { name: "ops", labels: { team: "ops" } } },
];
const front = pod("web", "front", { app: "front" }, {}, "10.0.1.5");
const api = pod("web", "api", { app: "api" }, {}, "10.0.1.6");
const database = pod("db", "pg", { app: "pg" }, {}, "10.0.2.7");
const opsFront = pod("ops", "front", { app: "front" }, {}, "10.0.3.8");

function check(policies: NetworkPolicy[], from: Pod | string, to: Pod | string, port: number | string, protocol?: "TCP" | "UDP" | "SCTP"): ReturnType<typeof evaluateConnection> {
  const endpoint = (e: Pod | string): ConnectionInput["source"] => (typeof e === "string" ? { kind: "ip", ip: e } : { kind: "pod", pod: e });
  return evaluateConnection({ source: endpoint(from), destination: endpoint(to), port, ...(protocol ? { protocol } : {}), policies, namespaces });
}

describe("CIDR", () => {
  it("parses IPv4 and IPv6 exactly", () => {
    assert.deepEqual(parseCidr("10.1.2.3/8"), { family: 4, start: 0x0a000000n, end: 0x0affffffn });
    assert.deepEqual(parseCidr("2001:db8::/32"), { family: 6, start: 0x20010db8n << 96n, end: (0x20010db8n << 96n) | ((1n << 96n) - 1n) });
    assert.equal(parseIp("::ffff:10.0.0.1")?.value, 0xffff0a000001n);
    assert.equal(parseIp("010.0.0.1"), undefined);
    assert.equal(parseCidr("10.0.0.0/33"), undefined);
    assert.equal(parseIp("1::2::3"), undefined);
  });
});

describe("connection sets", () => {
  it("round-trips netpol-analyzer's notation", () => {
    for (const text of ["All Connections", "No Connections", "TCP 10053-10054,UDP 10053", "SCTP 8956,9090"]) assert.equal(formatConnections(parseConnections(text)!), text);
  });
});

describe("evaluateConnection", () => {
  it("allows everything when no policy selects either pod", () => {
    const v = check([], front, api, 80);
    assert.equal(v.allowed, true);
    assert.equal(v.ingress.isolated, false);
  });

  it("ingress: [] and an absent ingress deny all; ingress: [{}] allows all", () => {
    assert.equal(check([policy("web", "deny", { podSelector: {}, ingress: [] })], front, api, 80).allowed, false);
    const absent = check([policy("web", "deny", { podSelector: {} })], front, api, 80);
    assert.equal(absent.allowed, false);
    assert.deepEqual(absent.ingress.denials, [{ policy: { namespace: "web", name: "deny" }, rules: [] }]);
    const all = check([policy("web", "all", { podSelector: {}, ingress: [{}] })], front, api, 80);
    assert.equal(all.allowed, true);
    assert.deepEqual(all.ingress.allowedBy, [{ policy: { namespace: "web", name: "all" }, ruleIndex: 0 }]);
  });

  it("policyTypes defaults: Egress only with egress rules or when listed", () => {
    const egressEmpty = policy("web", "p", { podSelector: { matchLabels: { app: "front" } }, egress: [] });
    assert.equal(check([egressEmpty], front, api, 80).egress.isolated, false, "egress: [] without policyTypes does not isolate egress");
    const listed = policy("web", "p", { podSelector: { matchLabels: { app: "front" } }, policyTypes: ["Egress"] });
    const v = check([listed], front, api, 80);
    assert.equal(v.egress.isolated, true);
    assert.equal(v.allowed, false);
    assert.equal(v.ingress.isolated, false, "policyTypes: [Egress] does not isolate ingress");
  });

  it("podSelector-only peers select in the policy's namespace; namespaceSelector AND podSelector in one peer; OR across peers", () => {
    const sameNs = policy("web", "p", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: "front" } } }] }] });
    assert.equal(check([sameNs], front, api, 80).allowed, true);
    const other = check([sameNs], opsFront, api, 80);
    assert.equal(other.allowed, false);
    assert.deepEqual(other.ingress.denials[0]!.rules[0]!.peers, [{ peerIndex: 0, reason: "namespace", expected: "web", actual: "ops" }]);

    const and = policy("web", "p", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "ops" } }, podSelector: { matchLabels: { app: "nope" } } }] }] });
    const andV = check([and], opsFront, api, 80);
    assert.equal(andV.allowed, false);
    assert.deepEqual(andV.ingress.denials[0]!.rules[0]!.peers.map((p) => p.reason), ["pod-selector"]);
    const or = policy("web", "p", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "ops" } } }, { podSelector: { matchLabels: { app: "nope" } } }] }] });
    const orV = check([or], opsFront, api, 80);
    assert.equal(orV.allowed, true);
    assert.deepEqual(orV.ingress.allowedBy, [{ policy: { namespace: "web", name: "p" }, ruleIndex: 0, peerIndex: 0 }]);
    // kubernetes.io/metadata.name is always a namespace label.
    const byName = policy("web", "p", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ops" } } }] }] });
    assert.equal(check([byName], opsFront, api, 80).allowed, true);
  });

  it("named ports resolve on the destination pod, with the protocol", () => {
    const named = policy("web", "p", { podSelector: {}, ingress: [{ ports: [{ port: "http" }, { port: "dns", protocol: "UDP" }] }] });
    assert.equal(check([named], front, api, 8080).allowed, true);
    assert.equal(check([named], front, api, "http").allowed, true);
    assert.equal(check([named], front, api, 53, "UDP").allowed, true);
    const tcpDns = check([named], front, api, 53, "TCP");
    assert.equal(tcpDns.allowed, false);
    assert.deepEqual(tcpDns.ingress.denials[0]!.rules[0]!.ports, [
      { portIndex: 0, reason: "named-port", name: "http", protocol: "TCP", resolved: 8080, actual: 53 },
      { portIndex: 1, reason: "protocol", expected: "UDP", actual: "TCP" },
    ]);
    const wrongProto = policy("web", "p", { podSelector: {}, ingress: [{ ports: [{ port: "dns" }] }] });
    assert.equal(check([wrongProto], front, api, 53, "UDP").allowed, false, "dns is a UDP port: a TCP named-port entry does not match it");
  });

  it("endPort ranges and SCTP", () => {
    const range = policy("web", "p", { podSelector: {}, ingress: [{ ports: [{ port: 32000, endPort: 32768, protocol: "SCTP" }] }] });
    assert.equal(check([range], front, api, 32768, "SCTP").allowed, true);
    assert.equal(check([range], front, api, 32769, "SCTP").allowed, false);
    assert.equal(check([range], front, api, 32000, "TCP").allowed, false);
  });

  it("ipBlock with except, IPv4 and IPv6, for external addresses and pod IPs", () => {
    const ipb = policy("web", "p", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.0.3.0/24"] } }, { ipBlock: { cidr: "2001:db8::/64" } }] }] });
    assert.equal(check([ipb], "10.9.9.9", api, 80).allowed, true);
    const excepted = check([ipb], "10.0.3.1", api, 80);
    assert.equal(excepted.allowed, false);
    assert.deepEqual(excepted.ingress.denials[0]!.rules[0]!.peers, [
      { peerIndex: 0, reason: "except", cidr: "10.0.0.0/8", except: "10.0.3.0/24", address: "10.0.3.1" },
      { peerIndex: 1, reason: "cidr", cidr: "2001:db8::/64", address: "10.0.3.1" },
    ]);
    assert.equal(check([ipb], "2001:db8::1", api, 80).allowed, true);
    assert.equal(check([ipb], "2001:db8:0:1::1", api, 80).allowed, false);
    assert.equal(check([ipb], front, api, 80).allowed, true, "front's pod IP 10.0.1.5 is in the block");
    assert.equal(check([ipb], opsFront, api, 80).allowed, false, "opsFront's pod IP 10.0.3.8 is excepted");
  });

  it("needs the source's egress and the destination's ingress; allowed traffic is the union over policies", () => {
    const egress = policy("web", "e", { podSelector: { matchLabels: { app: "front" } }, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: "db" } } }], ports: [{ port: 5432 }] }] });
    const ingress = policy("db", "i", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 5432 }] }] });
    const more = policy("web", "e2", { podSelector: { matchLabels: { app: "front" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: 6432 }] }] });
    assert.equal(check([egress, ingress], front, database, 5432).allowed, true);
    assert.equal(check([egress, ingress, more], front, database, 6432).allowed, false, "egress allows 6432 but ingress does not");
    assert.equal(check([egress, more], front, database, 6432).egress.allowed, true);
    assert.equal(check([egress], front, api, 5432).allowed, false);
  });

  it("hostNetwork pods and node addresses: unknown where it matters", () => {
    const host = pod("ops", "agent", { app: "agent" }, { hostNetwork: true }, "192.168.0.10");
    const allow = policy("web", "p", { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: "ops" } } }] }] });
    assert.equal(check([allow], host, api, 80).allowed, "unknown");
    assert.equal(check([], host, api, 80).allowed, true, "no isolation: allowed whatever the plugin does");
    const all = policy("web", "p", { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] });
    assert.equal(check([all], host, api, 80).allowed, true, "a rule admitting every source decides");
    assert.equal(check([all], host, api, 81).allowed, false, "no rule admits port 81 from anyone");
  });

  it("reports an unresolvable named port as a problem", () => {
    const v = check([], front, api, "metrics");
    assert.equal(v.allowed, "unknown");
    assert.match(v.problems[0]!, /no TCP port named "metrics"/);
  });
});

describe("connection sets and the matrix", () => {
  it("allowedConnections intersects egress and ingress", () => {
    const compiled = compilePolicies(
      [
        policy("web", "e", { podSelector: { matchLabels: { app: "front" } }, policyTypes: ["Egress"], egress: [{ ports: [{ port: 5000, endPort: 5010 }, { port: "dns", protocol: "UDP" }] }] }),
        policy("web", "i", { podSelector: { matchLabels: { app: "api" } }, ingress: [{ ports: [{ port: 5005, endPort: 6000 }, { protocol: "UDP" }] }] }),
      ],
      namespaces,
    );
    const set = allowedConnections(compiled, { kind: "pod", pod: front }, { kind: "pod", pod: api });
    assert.notEqual(set, "unknown");
    assert.equal(formatConnections(set as Exclude<typeof set, "unknown">), "TCP 5005-5010,UDP 53");
  });

  it("groups indistinguishable pods", () => {
    const replicas = [1, 2, 3].map((i) => pod("web", `api-${i}`, { app: "api" }, {}, `10.0.1.${10 + i}`));
    const matrix = buildConnectivityMatrix({ pods: [...replicas, front], policies: [policy("web", "p", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.1.12/32" } }] }] })], namespaces });
    assert.equal(matrix.classes.length, 3, "api-2 is set apart by the /32 ipBlock");
    assert.equal(matrix.classOf(replicas[0]!), matrix.classOf(replicas[2]!));
  });
});
