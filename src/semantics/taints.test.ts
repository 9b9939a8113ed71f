import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Taint, Toleration } from "../model/kube.js";
import {
  compareTolerationValues,
  evaluateToleration,
  findUntoleratedTaint,
  formatTaint,
  matchesTaint,
  SCHEDULING_TAINT_EFFECTS,
  toleratesTaint,
  type TaintFilter,
} from "./taints.js";

function loadJson<T>(relative: string): T {
  return JSON.parse(readFileSync(new URL(`../../../shared/conformance/${relative}`, import.meta.url), "utf8")) as T;
}

interface ApiTables {
  TestTolerationToleratesTaint: {
    cases: {
      description: string;
      toleration: Toleration;
      taint: Taint;
      expectTolerated: boolean;
      expectError?: boolean;
      enableTaintTolerationComparisonOperatorsFG?: boolean;
    }[];
  };
  TestCompareNumericValues: { cases: { description: string; tolerationVal: string; taintVal: string; operator: string; expectedResult: boolean }[] };
  TestTaintToString: { cases: { taint: Taint; expectedString: string }[] };
  TestMatchTaint: { cases: { description: string; taint: Taint; taintToMatch: Taint; expectMatch: boolean }[] };
}

interface HelperTables {
  TestFindMatchingUntoleratedTaint: {
    cases: {
      description: string;
      tolerations: Toleration[];
      taints: Taint[];
      applyFilter: string | null;
      expectTolerated: boolean;
      expectError?: boolean;
      enableComparisonOperatorsFG?: boolean;
    }[];
  };
}

interface SchedulerCase {
  name: string;
  pod: { $call: string; args: [string, unknown] };
  node: { $call: string; args: [string, unknown] };
  wantStatus?: { args: [string, string] };
}

// Source: github.com/kubernetes/api core/v1/{toleration,taint}_test.go, see conformance SOURCE.txt.
const apiTables = loadJson<{ tables: ApiTables }>("k8s-component-helpers/toleration_taint_cases.json").tables;
// Source: github.com/kubernetes/component-helpers scheduling/corev1/helpers_test.go.
const helperTables = loadJson<{ tables: HelperTables }>("k8s-component-helpers/cases.json").tables;

test("conformance: TestTolerationToleratesTaint (k8s.io/api core/v1)", () => {
  const cases = apiTables.TestTolerationToleratesTaint.cases;
  let passed = 0;
  for (const c of cases) {
    const options = { comparisonOperators: c.enableTaintTolerationComparisonOperatorsFG === true };
    const verdict = evaluateToleration(c.toleration, c.taint, options);
    assert.equal(verdict.tolerated, c.expectTolerated, c.description);
    assert.equal(toleratesTaint(c.toleration, c.taint, options), c.expectTolerated, c.description);
    assert.equal(verdict.error !== undefined, c.expectError === true, `${c.description}: error ${verdict.error}`);
    passed++;
  }
  assert.equal(passed, 14);
});

test("conformance: TestCompareNumericValues (k8s.io/api core/v1)", () => {
  const cases = apiTables.TestCompareNumericValues.cases;
  for (const c of cases) {
    assert.equal(compareTolerationValues(c.tolerationVal, c.taintVal, c.operator).tolerated, c.expectedResult, c.description);
  }
  assert.equal(cases.length, 30);
});

test("conformance: TestTaintToString and TestMatchTaint (k8s.io/api core/v1)", () => {
  for (const c of apiTables.TestTaintToString.cases) assert.equal(formatTaint(c.taint), c.expectedString);
  for (const c of apiTables.TestMatchTaint.cases) assert.equal(matchesTaint(c.taint, c.taintToMatch), c.expectMatch, c.description);
  assert.equal(apiTables.TestTaintToString.cases.length + apiTables.TestMatchTaint.cases.length, 8);
});

test("conformance: TestFindMatchingUntoleratedTaint (component-helpers)", () => {
  const filters: Record<string, TaintFilter | undefined> = {
    FILTER_ALL: () => true,
    FILTER_NONE: () => false,
    FILTER_EFFECT_NoExecute: ["NoExecute"],
  };
  const cases = helperTables.TestFindMatchingUntoleratedTaint.cases;
  for (const c of cases) {
    const filter = c.applyFilter === null ? undefined : filters[c.applyFilter];
    assert.ok(c.applyFilter === null || filter !== undefined, `unknown filter ${c.applyFilter}`);
    const options = { comparisonOperators: c.enableComparisonOperatorsFG === true };
    const untolerated = findUntoleratedTaint(c.taints, c.tolerations, filter, options);
    assert.equal(untolerated === undefined, c.expectTolerated, c.description);
    if (c.expectError) {
      // The error is on the toleration/taint pair that was compared.
      assert.ok(evaluateToleration(c.tolerations[0] as Toleration, c.taints[0] as Taint, options).error, c.description);
    }
  }
  assert.equal(cases.length, 10);
});

// v1.23 scheduler tables use Go field names (Key, Operator, ...); turn them into API JSON names.
function apiNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(apiNames);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), apiNames(v)]));
  }
  return value;
}

test("conformance: kube-scheduler v1.23 TestTaintTolerationFilter through findUntoleratedTaint", () => {
  // Source: kube-scheduler-plugin-tables/filter_cases_v1.23.json (pkg/scheduler/framework/plugins/tainttoleration);
  // the Filter considers NoSchedule and NoExecute taints (HELPERS.md). wantStatus absent => feasible.
  const cases = loadJson<{ tables: Record<string, SchedulerCase[]> }>("kube-scheduler-plugin-tables/filter_cases_v1.23.json").tables[
    "tainttoleration.TestTaintTolerationFilter"
  ] as SchedulerCase[];
  for (const c of cases) {
    assert.equal(c.pod.$call, "podWithTolerations");
    assert.equal(c.node.$call, "nodeWithTaints");
    const tolerations = apiNames(c.pod.args[1]) as Toleration[];
    const taints = apiNames(c.node.args[1]) as Taint[];
    const untolerated = findUntoleratedTaint(taints, tolerations, SCHEDULING_TAINT_EFFECTS);
    assert.equal(untolerated === undefined, c.wantStatus === undefined, c.name);
    if (untolerated) {
      // v1.23 reason text: "node(s) had taint {KEY: VALUE}, that the pod didn't tolerate".
      assert.equal(c.wantStatus?.args[1], `node(s) had taint {${untolerated.key}: ${untolerated.value}}, that the pod didn't tolerate`);
    }
  }
  assert.equal(cases.length, 9);
});

test("toleration rules beyond the tables", () => {
  const taint: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
  // An empty key with Exists tolerates everything; an empty effect matches every effect.
  assert.equal(toleratesTaint({ operator: "Exists" }, taint), true);
  assert.equal(toleratesTaint({ key: "dedicated", operator: "Exists" }, { ...taint, effect: "NoExecute" }), true);
  // An empty operator means Equal; a missing value equals the empty string.
  assert.equal(toleratesTaint({ key: "dedicated", value: "gpu" }, taint), true);
  assert.equal(toleratesTaint({ key: "k" }, { key: "k", effect: "NoSchedule" }), true);
  assert.equal(toleratesTaint({ key: "dedicated" }, taint), false);
  // Unknown operators tolerate nothing; so do Gt/Lt with the feature gate off.
  assert.equal(toleratesTaint({ key: "dedicated", operator: "Matches", value: "gpu" }, taint), false);
  const sla: Taint = { key: "sla", value: "950", effect: "NoSchedule" };
  assert.equal(toleratesTaint({ key: "sla", operator: "Gt", value: "900" }, sla), true);
  assert.equal(toleratesTaint({ key: "sla", operator: "Gt", value: "900" }, sla, { comparisonOperators: false }), false);
  // Order: the first untolerated taint in node order is reported; PreferNoSchedule is ignored by the scheduler filter.
  const taints: Taint[] = [
    { key: "soft", effect: "PreferNoSchedule" },
    { key: "a", effect: "NoSchedule" },
    { key: "b", effect: "NoExecute" },
  ];
  assert.equal(findUntoleratedTaint(taints, [], SCHEDULING_TAINT_EFFECTS)?.key, "a");
  assert.equal(findUntoleratedTaint(taints, [{ key: "a", operator: "Exists" }], SCHEDULING_TAINT_EFFECTS)?.key, "b");
  assert.equal(findUntoleratedTaint(taints, [{ key: "a", operator: "Exists" }], ["NoExecute"])?.key, "b");
  assert.equal(findUntoleratedTaint(taints, [{ operator: "Exists" }]), undefined);
  assert.equal(findUntoleratedTaint(undefined, undefined), undefined);
});
