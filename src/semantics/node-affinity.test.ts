import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { NodeSelectorTerm } from "../model/kube.js";
import {
  evaluateNodeSelectorTerms,
  matchesNodeSelector,
  matchesNodeSelectorTerms,
  podMatchesNodeAffinity,
  scorePreferredSchedulingTerms,
  type NodeLike,
  type PodLike,
} from "./node-affinity.js";

function loadJson<T>(relative: string): T {
  return JSON.parse(readFileSync(new URL(`../../../shared/conformance/${relative}`, import.meta.url), "utf8")) as T;
}

interface TermsCase {
  name: string;
  args: { nodeSelector: { nodeSelectorTerms: NodeSelectorTerm[] } | null; node: NodeLike | null };
  want: unknown;
}

interface PodCase {
  name: string;
  pod: PodLike | [];
  labels?: Record<string, string>;
  nodeName?: string;
  want: boolean;
}

interface HelperTables {
  TestMatchNodeSelectorTerms: { cases: TermsCase[] };
  TestMatchNodeSelectorTermsStateless: { cases: TermsCase[] };
  TestPodMatchesNodeSelectorAndAffinityTerms: { cases: PodCase[] };
}

// Source: github.com/kubernetes/component-helpers scheduling/corev1/helpers_test.go and
// scheduling/corev1/nodeaffinity/nodeaffinity_test.go, extracted in shared/conformance (SOURCE.txt).
const tables = loadJson<{ tables: HelperTables }>("k8s-component-helpers/cases.json").tables;

test("conformance: TestMatchNodeSelectorTerms (component-helpers)", () => {
  const cases = tables.TestMatchNodeSelectorTerms.cases;
  for (const c of cases) {
    assert.equal(matchesNodeSelectorTerms(c.args.nodeSelector?.nodeSelectorTerms, c.args.node), c.want, c.name);
  }
  assert.equal(cases.length, 10);
});

test("conformance: TestMatchNodeSelectorTermsStateless (component-helpers): matching does not reorder the terms", () => {
  const cases = tables.TestMatchNodeSelectorTermsStateless.cases;
  for (const c of cases) {
    matchesNodeSelectorTerms(c.args.nodeSelector?.nodeSelectorTerms, c.args.node);
    assert.deepEqual(c.args.nodeSelector, c.want, c.name);
  }
  assert.equal(cases.length, 9);
});

// Extraction defect in cases.json: its script lowerCamel-cased Go *map keys* along with field names,
// so the node label "GPU" became "gPU". Upstream nodeaffinity_test.go has `labels: map[string]string{"GPU":
// "NVIDIA-GRID-K1"}` (and so does the v1.23 scheduler table below); label keys are case-sensitive, so
// these rows are evaluated with the upstream label key restored.
const EXTRACTION_FIXES: Record<string, (labels: Record<string, string>) => Record<string, string>> = {
  "Pod with matchExpressions using Exists operator that matches the existing node": restoreGpu,
  "Pod with multiple matchExpressions ANDed that matches the existing node": restoreGpu,
  "Pod with multiple matchExpressions ANDed that doesn't match the existing node": restoreGpu,
};

function restoreGpu(labels: Record<string, string>): Record<string, string> {
  assert.ok("gPU" in labels, "the extraction defect is gone: drop EXTRACTION_FIXES");
  const { gPU, ...rest } = labels;
  return { ...rest, GPU: gPU as string };
}

test("conformance: TestPodMatchesNodeSelectorAndAffinityTerms (component-helpers nodeaffinity)", () => {
  const cases = tables.TestPodMatchesNodeSelectorAndAffinityTerms.cases;
  let fixed = 0;
  for (const c of cases) {
    const fix = EXTRACTION_FIXES[c.name];
    const labels = c.labels && fix ? fix(c.labels) : c.labels;
    if (fix) fixed++;
    // The upstream test builds &v1.Node{ObjectMeta: {Name: test.nodeName, Labels: test.labels}}; `&v1.Pod{}` extracts as [].
    const node: NodeLike = { metadata: { name: c.nodeName ?? "", labels } };
    const pod = Array.isArray(c.pod) ? {} : c.pod;
    assert.equal(podMatchesNodeAffinity(pod, node), c.want, c.name);
  }
  assert.equal(fixed, 3);
  assert.equal(cases.length, 27);
});

// v1.23 scheduler tables use Go field names (Spec, NodeSelectorTerms, Key ...): rename fields, not map keys.
const MAP_FIELDS = new Set(["NodeSelector"]);
function apiNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(apiNames);
  if (value && typeof value === "object") {
    if ("$ident" in value) {
      assert.equal((value as { $ident: string }).$ident, "metav1.ObjectNameField");
      return "metadata.name";
    }
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), MAP_FIELDS.has(k) ? v : apiNames(v)]),
    );
  }
  return value;
}

test("conformance: kube-scheduler v1.23 TestNodeAffinity through podMatchesNodeAffinity", () => {
  // Source: kube-scheduler-plugin-tables/filter_cases_v1.23.json (pkg/scheduler/framework/plugins/nodeaffinity).
  // wantStatus absent => the node passes the NodeAffinity filter. Rows with `args.AddedAffinity` test the
  // scheduler profile's extra affinity (plugin configuration, not pod semantics) and are skipped.
  interface SchedulerCase {
    name: string;
    pod: unknown;
    labels?: Record<string, string>;
    nodeName?: string;
    args?: unknown;
    wantStatus?: unknown;
  }
  const cases = loadJson<{ tables: Record<string, SchedulerCase[]> }>("kube-scheduler-plugin-tables/filter_cases_v1.23.json").tables[
    "nodeaffinity.TestNodeAffinity"
  ] as SchedulerCase[];
  let checked = 0;
  for (const c of cases) {
    if (c.args) continue;
    const pod = (Array.isArray(c.pod) ? {} : apiNames(c.pod)) as PodLike;
    const node: NodeLike = { metadata: { name: c.nodeName ?? "", labels: c.labels } };
    assert.equal(podMatchesNodeAffinity(pod, node), c.wantStatus === undefined, c.name);
    checked++;
  }
  assert.equal(checked, 29);
  assert.equal(cases.length, 32);
});

test("TestNodeSelectorMatch: invalid terms are reported with their field paths", () => {
  // Source: component-helpers nodeaffinity_test.go TestNodeSelectorMatch ("read them directly" in SOURCE.txt).
  const invalid: NodeSelectorTerm[] = [
    { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1", "host_2"] }] },
    {
      matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }],
      matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }],
    },
    { matchExpressions: [{ key: "invalid key", operator: "In", values: ["label_value"] }] },
  ];
  // NewNodeSelector reports every parse error; the lazy selector the scheduler uses reports them when
  // nothing matched, which is the case for this node (term 1 needs label_1).
  const verdict = evaluateNodeSelectorTerms(invalid, { metadata: { name: "host_1" } });
  assert.equal(verdict.matches, false);
  assert.equal(verdict.errors.length, 2);
  assert.match(verdict.errors[0] ?? "", /^nodeSelectorTerms\[0\]\.matchFields\[0\]\.values: .*must have one element$/);
  assert.ok(
    (verdict.errors[1] ?? "").startsWith("nodeSelectorTerms[2].matchExpressions[0].key: ") &&
      (verdict.errors[1] ?? "").endsWith(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      ),
    verdict.errors[1],
  );
  const labelAndField: NodeSelectorTerm[] = [
    {
      matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }],
      matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }],
    },
  ];
  assert.equal(matchesNodeSelectorTerms(labelAndField, { metadata: { name: "host_1" } }), false); // "node matches field selector, but not labels"
  assert.equal(matchesNodeSelectorTerms(labelAndField, { metadata: { name: "host_1", labels: { label_1: "label_1_val" } } }), true);
  const secondTerm: NodeSelectorTerm[] = [
    { matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }] },
    { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }] },
  ];
  assert.equal(matchesNodeSelectorTerms(secondTerm, { metadata: { name: "host_1" } }), true); // "second term matches"
  assert.equal(matchesNodeSelectorTerms(secondTerm, null), false); // "nil node"
});

test("TestPreferredSchedulingTermsScore", () => {
  // Source: component-helpers nodeaffinity_test.go TestPreferredSchedulingTermsScore.
  const invalid = scorePreferredSchedulingTerms(
    [
      { weight: 1, preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1", "host_2"] }] } },
      {
        weight: 1,
        preference: {
          matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }],
          matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }],
        },
      },
      { weight: 1, preference: { matchExpressions: [{ key: "invalid key", operator: "In", values: ["label_value"] }] } },
    ],
    { metadata: { name: "host_1" } },
  );
  assert.deepEqual(
    invalid.errors.map((e) => e.slice(0, e.indexOf(":"))),
    ["[0].matchFields[0].values", "[2].matchExpressions[0].key"],
  );
  const zeroWeight = scorePreferredSchedulingTerms(
    [{ weight: 0, preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1", "host_2"] }] } }],
    { metadata: { name: "host_1" } },
  );
  assert.deepEqual(zeroWeight, { score: 0, errors: [] }); // "invalid field selector but no weight, error not reported"
  const scored = scorePreferredSchedulingTerms(
    [
      { weight: 5, preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }] } },
      { weight: 7, preference: { matchExpressions: [{ key: "unknown_label", operator: "In", values: ["unknown_label_val"] }] } },
      { weight: 11, preference: { matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }] } },
    ],
    { metadata: { name: "host_1", labels: { label_1: "label_1_val" } } },
  );
  assert.deepEqual(scored, { score: 16, errors: [] }); // "first and third term match"
});

test("operators: In, NotIn, Exists, DoesNotExist, Gt, Lt (labels.Requirement semantics)", () => {
  const node = (labels: Record<string, string>): NodeLike => ({ metadata: { name: "n1", labels } });
  const term = (key: string, operator: string, values?: string[]): NodeSelectorTerm[] => [{ matchExpressions: [{ key, operator, values }] }];
  assert.equal(matchesNodeSelectorTerms(term("zone", "In", ["a", "b"]), node({ zone: "b" })), true);
  assert.equal(matchesNodeSelectorTerms(term("zone", "NotIn", ["a"]), node({})), true); // NotIn matches an absent key
  assert.equal(matchesNodeSelectorTerms(term("zone", "Exists"), node({ zone: "" })), true);
  assert.equal(matchesNodeSelectorTerms(term("zone", "DoesNotExist"), node({ zone: "a" })), false);
  assert.equal(matchesNodeSelectorTerms(term("cpu", "Gt", ["4"]), node({ cpu: "8" })), true);
  assert.equal(matchesNodeSelectorTerms(term("cpu", "Gt", ["4"]), node({ cpu: "4" })), false);
  assert.equal(matchesNodeSelectorTerms(term("cpu", "Lt", ["4"]), node({ cpu: "-1" })), true);
  assert.equal(matchesNodeSelectorTerms(term("cpu", "Lt", ["4"]), node({ cpu: "lots" })), false); // a label that is not an int64
  assert.equal(matchesNodeSelectorTerms(term("cpu", "Lt", ["4"]), node({})), false);
  // Invalid requirements make the term match nothing (NewRequirement errors).
  assert.equal(matchesNodeSelectorTerms(term("cpu", "Gt", ["4", "5"]), node({ cpu: "8" })), false);
  assert.equal(matchesNodeSelectorTerms(term("cpu", "Gt", ["four"]), node({ cpu: "8" })), false);
  assert.equal(matchesNodeSelectorTerms(term("zone", "In", []), node({ zone: "a" })), false);
  assert.equal(matchesNodeSelectorTerms(term("zone", "Exists", ["a"]), node({ zone: "a" })), false);
  assert.equal(matchesNodeSelectorTerms(term("zone", "Equals", ["a"]), node({ zone: "a" })), false);
  assert.deepEqual(evaluateNodeSelectorTerms(term("zone", "Equals", ["a"]), node({ zone: "a" })).errors.length, 1);
  // ...but only that term: another valid term can still match, and then no error is reported.
  assert.deepEqual(evaluateNodeSelectorTerms([...term("zone", "Equals", ["a"]), ...term("zone", "In", ["a"])], node({ zone: "a" })), {
    matches: true,
    errors: [],
  });
});

test("matchFields: metadata.name only, exactly one value, skipped for a node without a name", () => {
  const fields = (operator: string, values: string[], key = "metadata.name"): NodeSelectorTerm[] => [{ matchFields: [{ key, operator, values }] }];
  assert.equal(matchesNodeSelectorTerms(fields("In", ["n1"]), { metadata: { name: "n1" } }), true);
  assert.equal(matchesNodeSelectorTerms(fields("NotIn", ["n1"]), { metadata: { name: "n1" } }), false);
  assert.equal(matchesNodeSelectorTerms(fields("NotIn", ["n2"]), { metadata: { name: "n1" } }), true);
  assert.equal(matchesNodeSelectorTerms(fields("Exists", []), { metadata: { name: "n1" } }), false);
  // fields.Set.Get on an unknown field is "": In never matches, NotIn always does.
  assert.equal(matchesNodeSelectorTerms(fields("In", ["x"], "spec.unschedulable"), { metadata: { name: "n1" } }), false);
  assert.equal(matchesNodeSelectorTerms(fields("NotIn", ["x"], "spec.unschedulable"), { metadata: { name: "n1" } }), true);
  // nodeSelectorTerm.match checks matchFields only when the node has fields (a name).
  assert.equal(matchesNodeSelectorTerms(fields("In", ["n1"]), { metadata: { labels: {} } }), true);
});

test("matchesNodeSelector and podMatchesNodeAffinity", () => {
  const node: NodeLike = { metadata: { name: "n1", labels: { disk: "ssd", zone: "a" } } };
  assert.equal(matchesNodeSelector({ disk: "ssd" }, node), true);
  assert.equal(matchesNodeSelector({ disk: "hdd" }, node), false);
  assert.equal(matchesNodeSelector({}, node), true);
  assert.equal(matchesNodeSelector(undefined, { metadata: {} }), true);
  assert.equal(matchesNodeSelector({ disk: "" }, { metadata: {} }), false);
  const required = (terms: NodeSelectorTerm[]): PodLike => ({
    spec: { nodeSelector: { disk: "ssd" }, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } },
  });
  assert.equal(podMatchesNodeAffinity(required([{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }]), node), true);
  assert.equal(podMatchesNodeAffinity(required([{ matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }]), node), false);
  assert.equal(podMatchesNodeAffinity(required([]), node), false); // empty terms match nothing
  assert.equal(podMatchesNodeAffinity({ spec: { affinity: { nodeAffinity: {} } } }, node), true);
  assert.equal(podMatchesNodeAffinity({}, node), true);
  assert.equal(podMatchesNodeAffinity({}, null), false);
});
