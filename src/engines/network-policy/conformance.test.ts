// Conformance against np-guard/netpol-analyzer's golden scenarios (copied to
// /work/shared/conformance/netpol-analyzer, see its SOURCE.txt): load each test dir's objects,
// compute connectivity with this engine, compare CONNECTION SETS with the expected outputs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import yaml from "js-yaml";
import type { KubeObject, NetworkPolicy, Pod, PodSpec } from "../../model/kube.js";
import { formatIp, parseIp } from "./cidr.js";
import { evaluateCompiled } from "./evaluate.js";
import { equalConnections, formatConnections, parseConnections, NO_CONNECTIONS, type ConnectionSet } from "./connections.js";
import type { EvaluationOptions, NamespaceLike } from "./compile.js";
import { buildConnectivityMatrix, type PodClass } from "./matrix.js";

const ROOT = fileURLToPath(new URL("../../../../shared/conformance/netpol-analyzer/", import.meta.url));
const TESTS = join(ROOT, "tests");
const OUTPUTS = join(ROOT, "test_outputs", "connlist");

/**
 * netpol-analyzer models what the API leaves to the network plugin in one fixed way; these options
 * state that model so its expectations can be compared. The engine's defaults differ, on purpose:
 * - hostNetwork pods: netpol-analyzer evaluates them by their labels like any pod (the first of the
 *   two behaviours the Kubernetes docs allow); our default answers "unknown".
 * - ipBlocks: netpol-analyzer matches ipBlocks against external addresses only, never pod IPs; the
 *   upstream e2e suite matches pod IPs too, which is our default.
 */
const NETPOL_ANALYZER_MODEL: EvaluationOptions = { hostNetworkPods: "as-pod", ipBlocksMatchPodIps: false };

/** Scenarios (or outputs) not ported, with the reason. Data, so the counts below stay honest. */
const SKIPPED: { scenario: string; reason: string }[] = [
  { scenario: "netpol-demo", reason: "AdminNetworkPolicy/BaselineAdminNetworkPolicy (policy.networking.k8s.io), outside networking.k8s.io/v1; and only an explain output exists" },
  { scenario: "acs-security-demos_explain", reason: "explain output (rule-by-rule prose), not a connection set; the connlist output of the same dir is ported" },
  { scenario: "ipblockstest_explain", reason: "explain output (rule-by-rule prose), not a connection set; the connlist output of the same dir is ported" },
  { scenario: "netpol_named_port_test_explain", reason: "explain output (rule-by-rule prose), not a connection set; the connlist output of the same dir is ported" },
  { scenario: "onlineboutique_explain", reason: "explain output (rule-by-rule prose), not a connection set; the connlist output of the same dir is ported" },
  {
    scenario: "onlineboutique/connections_map_output_bool.txt",
    reason: "upstream calls CheckIfAllowed with an empty protocol and port (eval_test.go onlineboutique_bool_connectivity_results); a connection without a port has no meaning here",
  },
  { scenario: "basic", reason: "no expected output copied (the dir holds a Deployment and a Route only)" },
  { scenario: "deny_all_to_from_a_deployment", reason: "no expected output copied" },
  { scenario: "only_pods_test", reason: "no expected output copied" },
  { scenario: "np_test_with_empty_port_range", reason: "no expected output copied (upstream expects an error for the empty port range)" },
  { scenario: "test_with_named_ports_changed_netpol_3", reason: "no expected output copied" },
];

/** Lines about ingress-controller peers (derived from Route/Ingress objects) are not compared. */
const INGRESS_CONTROLLER = "{ingress-controller}";

function loadObjects(dir: string): KubeObject[] {
  const out: KubeObject[] = [];
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
      return;
    }
    if (!/\.(ya?ml|json)$/.test(path) || /output/.test(path)) return;
    for (const doc of yaml.loadAll(readFileSync(path, "utf8"))) {
      const flatten = (o: unknown, itemKind?: string): void => {
        if (!o || typeof o !== "object") return;
        const object = o as KubeObject & { items?: unknown[] };
        // Items of a PodList/NamespaceList may omit their kind (as `kubectl get -o yaml` prints them).
        if (Array.isArray(object.items)) object.items.forEach((item) => flatten(item, /^(.+)List$/.exec(object.kind ?? "")?.[1]));
        else if (object.metadata && (object.kind || itemKind)) out.push(object.kind ? object : { ...object, kind: itemKind! });
      };
      flatten(doc);
    }
  };
  visit(dir);
  return out;
}

const TEMPLATE_KINDS = new Set(["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController", "CronJob"]);

interface Workload {
  name: string;
  pods: Pod[];
}

/** Pods and their workloads as netpol-analyzer names them: the controller owner, or the pod itself. */
function workloadsOf(objects: KubeObject[]): { pods: Pod[]; workloads: Map<string, Workload>; podName: Map<Pod, string> } {
  const workloads = new Map<string, Workload>();
  const pods: Pod[] = [];
  const podName = new Map<Pod, string>();
  const add = (key: string, pod: Pod): void => {
    const workload = workloads.get(key) ?? { name: key, pods: [] };
    workload.pods.push(pod);
    workloads.set(key, workload);
    pods.push(pod);
    podName.set(pod, `${pod.metadata.namespace}/${pod.metadata.name}`);
  };
  for (const object of objects) {
    const namespace = object.metadata.namespace || "default";
    if (object.kind === "Pod") {
      const pod = { ...(object as Pod), metadata: { ...object.metadata, namespace } };
      // Static (mirror) pods are owned by their Node: netpol-analyzer names them as pods.
      const owner = (object.metadata.ownerReferences ?? []).find((o) => o.controller !== false && o.kind !== "Node");
      add(owner ? `${namespace}/${owner.name}[${owner.kind}]` : `${namespace}/${object.metadata.name}[Pod]`, pod);
    } else if (TEMPLATE_KINDS.has(object.kind)) {
      const spec = object.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec }; jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } } } } | undefined;
      const template = spec?.template ?? spec?.jobTemplate?.spec?.template;
      if (!template) continue;
      add(`${namespace}/${object.metadata.name}[${object.kind}]`, { kind: "Pod", metadata: { name: object.metadata.name, namespace, labels: template.metadata?.labels ?? {} }, spec: template.spec });
    }
  }
  return { pods, workloads, podName };
}

function namespacesOf(objects: KubeObject[]): NamespaceLike[] {
  return objects.filter((o) => o.kind === "Namespace").map((o) => ({ metadata: { name: o.metadata.name, labels: o.metadata.labels ?? {} } }));
}

interface ExternalRange {
  start: bigint;
  end: bigint;
}

/** "10.0.0.0-10.255.255.255" (optionally followed by [External]); undefined for a workload name. */
function parseExternal(token: string): ExternalRange | undefined {
  const match = /^([0-9.]+)-([0-9.]+)(\[External\])?$/.exec(token);
  if (!match) return undefined;
  const start = parseIp(match[1]!);
  const end = parseIp(match[2]!);
  return start && end ? { start: start.value, end: end.value } : undefined;
}

interface Comparison {
  compared: number;
  mismatches: string[];
  unknown: number;
  ignoredLines: number;
}

function show(set: ConnectionSet | "unknown"): string {
  return set === "unknown" ? "unknown" : formatConnections(set);
}

function compareConnlist(dir: string, expectedText: string): Comparison {
  const objects = loadObjects(dir);
  const { pods, workloads } = workloadsOf(objects);
  const policies = objects.filter((o): o is NetworkPolicy => o.kind === "NetworkPolicy" && (o.apiVersion ?? "networking.k8s.io/v1") === "networking.k8s.io/v1");
  const matrix = buildConnectivityMatrix({ pods, policies, namespaces: namespacesOf(objects), options: NETPOL_ANALYZER_MODEL });
  const result: Comparison = { compared: 0, mismatches: [], unknown: 0, ignoredLines: 0 };

  const expectedPairs = new Map<string, ConnectionSet>();
  const expectedExternal: { workload: string; outbound: boolean; range: ExternalRange; conns: ConnectionSet }[] = [];
  for (const line of expectedText.split("\n").filter((l) => l.trim())) {
    const match = /^(\S+) => (\S+) : (.+)$/.exec(line.trim());
    assert.ok(match, `unparsable expected line: ${line}`);
    const [, src, dst, connsText] = match;
    const conns = parseConnections(connsText!);
    assert.ok(conns, `unparsable connections: ${connsText}`);
    if (src === INGRESS_CONTROLLER || dst === INGRESS_CONTROLLER) {
      result.ignoredLines++;
      continue;
    }
    const srcRange = parseExternal(src!);
    const dstRange = parseExternal(dst!);
    if (srcRange) expectedExternal.push({ workload: dst!, outbound: false, range: srcRange, conns });
    else if (dstRange) expectedExternal.push({ workload: src!, outbound: true, range: dstRange, conns });
    else expectedPairs.set(`${src} => ${dst}`, conns);
  }

  const classOf = (w: Workload): PodClass => matrix.classOf(w.pods[0]!)!;
  const check = (label: string, actual: ConnectionSet | "unknown", expected: ConnectionSet): void => {
    result.compared++;
    if (actual === "unknown") result.unknown++;
    if (actual === "unknown" || !equalConnections(actual, expected)) result.mismatches.push(`${label}: expected ${formatConnections(expected)}, got ${show(actual)}`);
  };
  const names = [...workloads.keys()].sort();
  for (const src of names) {
    for (const dst of names) {
      // netpol-analyzer's connlist leaves out a workload's connections to itself.
      if (src === dst) continue;
      check(`${src} => ${dst}`, matrix.between(classOf(workloads.get(src)!), classOf(workloads.get(dst)!)), expectedPairs.get(`${src} => ${dst}`) ?? NO_CONNECTIONS);
      expectedPairs.delete(`${src} => ${dst}`);
    }
  }
  for (const key of expectedPairs.keys()) result.mismatches.push(`${key}: expected but no such workload pair was loaded`);

  // The IPv4 space cut at every ipBlock boundary (policies and expected ranges): each segment is
  // judged at its first address, so connection sets are compared over the whole address space.
  const cuts = new Set<bigint>([0n, 1n << 32n]);
  for (const range of matrix.compiled.cidrs) if (range.family === 4) cuts.add(range.start).add(range.end + 1n);
  for (const e of expectedExternal) cuts.add(e.range.start).add(e.range.end + 1n);
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, -1);
  for (const name of names) {
    const podClass = classOf(workloads.get(name)!);
    for (const point of points) {
      const ip = formatIp(4, point);
      for (const outbound of [true, false]) {
        const expected = expectedExternal.find((e) => e.workload === name && e.outbound === outbound && point >= e.range.start && point <= e.range.end)?.conns ?? NO_CONNECTIONS;
        const actual = outbound ? matrix.toAddress(podClass, ip) : matrix.fromAddress(ip, podClass);
        check(outbound ? `${name} => ${ip}` : `${ip} => ${name}`, actual, expected);
      }
    }
  }
  return result;
}

/**
 * Pod-level all-pairs outputs ("src: ns/pod, dest: ns/pod, allowed conns: X"): X is a connection
 * set (allAllowedConnections), or true/false from CheckIfAllowed(src, dst, TCP, 80) as upstream's
 * eval_test.go TestConnectionsMapExamples calls it; those go through evaluateConnection.
 */
function compareConnectionsMap(dir: string, expectedText: string): Comparison {
  const objects = loadObjects(dir);
  const { pods, podName } = workloadsOf(objects);
  const policies = objects.filter((o): o is NetworkPolicy => o.kind === "NetworkPolicy");
  const matrix = buildConnectivityMatrix({ pods, policies, namespaces: namespacesOf(objects), options: NETPOL_ANALYZER_MODEL });
  const byName = new Map([...podName].map(([pod, name]) => [name, pod]));
  const result: Comparison = { compared: 0, mismatches: [], unknown: 0, ignoredLines: 0 };
  for (const line of expectedText.split("\n").filter((l) => l.trim())) {
    const match = /^src: (\S+), dest: (\S+), allowed conns: (.+)$/.exec(line.trim());
    assert.ok(match, `unparsable expected line: ${line}`);
    const [, src, dst, text] = match;
    const source = byName.get(src!);
    const destination = byName.get(dst!);
    if (!source || !destination) {
      result.mismatches.push(`${src} => ${dst}: pod not loaded`);
      continue;
    }
    if (src === dst) {
      // A pod's traffic to itself: netpol-analyzer always allows it; the NetworkPolicy API does not
      // define it (the docs only say pods cannot block localhost), so it is not compared.
      result.ignoredLines++;
      continue;
    }
    const actual = matrix.between(matrix.classOf(source)!, matrix.classOf(destination)!);
    result.compared++;
    if (actual === "unknown") {
      result.unknown++;
      result.mismatches.push(`${src} => ${dst}: expected ${text}, got unknown`);
    } else if (text === "true" || text === "false") {
      const verdict = evaluateCompiled(matrix.compiled, { kind: "pod", pod: source }, { kind: "pod", pod: destination }, 80, "TCP");
      if (String(verdict.allowed) !== text) result.mismatches.push(`${src} => ${dst} TCP 80: expected ${text}, got ${String(verdict.allowed)}`);
    } else {
      const expected = parseConnections(text!);
      assert.ok(expected, `unparsable connections: ${text}`);
      if (!equalConnections(actual, expected)) result.mismatches.push(`${src} => ${dst}: expected ${text}, got ${formatConnections(actual)}`);
    }
  }
  return result;
}

interface Scenario {
  name: string;
  dir: string;
  expected: string;
  compare: (dir: string, expected: string) => Comparison;
}

function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  for (const file of readdirSync(OUTPUTS).sort()) {
    const match = /^(.+)_connlist_output\.txt$/.exec(file);
    if (!match) continue;
    out.push({ name: match[1]!, dir: join(TESTS, match[1]!), expected: join(OUTPUTS, file), compare: compareConnlist });
  }
  for (const dir of readdirSync(TESTS).sort()) {
    for (const file of readdirSync(join(TESTS, dir)).sort()) {
      if (SKIPPED.some((skip) => skip.scenario === `${dir}/${file}`)) continue;
      if (/^connections_map.*_output.*\.txt$/.test(file)) out.push({ name: `${dir}/${file}`, dir: join(TESTS, dir), expected: join(TESTS, dir, file), compare: compareConnectionsMap });
    }
  }
  return out;
}

const available = existsSync(ROOT);

describe("netpol-analyzer conformance", { skip: available ? false : `not found: ${ROOT}` }, () => {
  const list = available ? scenarios() : [];
  const results: { name: string; passed: boolean; detail: string }[] = [];
  for (const scenario of list) {
    it(scenario.name, () => {
      const comparison = scenario.compare(scenario.dir, readFileSync(scenario.expected, "utf8"));
      const passed = comparison.mismatches.length === 0 && comparison.compared > 0;
      const detail = `${comparison.compared} pairs compared, ${comparison.mismatches.length} mismatched, ${comparison.unknown} unknown, ${comparison.ignoredLines} lines not compared`;
      results.push({ name: scenario.name, passed, detail });
      assert.ok(passed, `${detail}\n${comparison.mismatches.slice(0, 15).join("\n")}`);
    });
  }
  it("summary", () => {
    const passed = results.filter((r) => r.passed).length;
    const lines = results.map((r) => `  ${r.passed ? "pass" : "FAIL"} ${r.name}: ${r.detail}`);
    const skipped = SKIPPED.map((s) => `  skip ${s.scenario}: ${s.reason}`);
    // Printed for the report: node:test shows diagnostics in its output.
    console.log(`netpol-analyzer conformance: ${passed}/${results.length} scenarios passed, ${SKIPPED.length} skipped\n${lines.join("\n")}\n${skipped.join("\n")}`);
    assert.equal(results.length, list.length);
  });
});
