import { test } from "node:test";
import assert from "node:assert/strict";
import {
  matchesLabelRequirement,
  matchesRequirement,
  matchesSelector,
  matchesServiceSelector,
  newRequirement,
  parseInt64,
  validateLabelSelector,
  validateLabelValue,
  validateQualifiedName,
} from "./labels.js";

test("matchesSelector: every metav1 operator", () => {
  const labels = { app: "web", tier: "frontend" };
  const cases: [string, string, string[] | undefined, boolean][] = [
    ["app", "In", ["web", "api"], true],
    ["app", "In", ["api"], false],
    ["missing", "In", ["web"], false],
    ["app", "NotIn", ["api"], true],
    ["app", "NotIn", ["web"], false],
    // labels.Requirement.Matches: "The operator is DoesNotExist or NotIn and Labels does not have the Requirement's key."
    ["missing", "NotIn", ["web"], true],
    ["app", "Exists", undefined, true],
    ["missing", "Exists", undefined, false],
    ["app", "DoesNotExist", undefined, false],
    ["missing", "DoesNotExist", undefined, true],
    ["app", "Gt", ["1"], false], // not a metav1 LabelSelectorOperator: rejected by the API server, matches nothing here
  ];
  for (const [key, operator, values, want] of cases) {
    const requirement = { key, operator, values };
    assert.equal(matchesRequirement(requirement, labels), want, `${key} ${operator} ${values}`);
    assert.equal(matchesSelector({ matchExpressions: [requirement] }, labels), want, `${key} ${operator} ${values}`);
  }
});

test("matchesSelector: empty selector selects everything, missing selector nothing", () => {
  // metav1.LabelSelectorAsSelector: "len(ps.MatchLabels)+len(ps.MatchExpressions) == 0 → labels.Everything()"; nil → labels.Nothing().
  assert.equal(matchesSelector({}, { a: "b" }), true);
  assert.equal(matchesSelector({}, undefined), true);
  assert.equal(matchesSelector({ matchLabels: {}, matchExpressions: [] }, {}), true);
  assert.equal(matchesSelector(null, { a: "b" }), false);
  assert.equal(matchesSelector(undefined, { a: "b" }), false);
});

test("matchesSelector: matchLabels and matchExpressions are ANDed", () => {
  const selector = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["frontend"] }] };
  assert.equal(matchesSelector(selector, { app: "web", tier: "frontend" }), true);
  assert.equal(matchesSelector(selector, { app: "web", tier: "backend" }), false);
  assert.equal(matchesSelector(selector, { app: "api", tier: "frontend" }), false);
  // An empty label value is a value: matchLabels {a: ""} needs the key present.
  assert.equal(matchesSelector({ matchLabels: { a: "" } }, {}), false);
  assert.equal(matchesSelector({ matchLabels: { a: "" } }, { a: "" }), true);
});

test("matchesServiceSelector: an empty or missing selector selects nothing", () => {
  assert.equal(matchesServiceSelector({ app: "web" }, { app: "web", x: "y" }), true);
  assert.equal(matchesServiceSelector({ app: "web" }, { app: "api" }), false);
  assert.equal(matchesServiceSelector({}, { app: "web" }), false);
  assert.equal(matchesServiceSelector(undefined, { app: "web" }), false);
});

test("validateLabelSelector reports what metav1 validation.ValidateLabelSelector reports", () => {
  assert.deepEqual(validateLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a"] }] }), []);
  assert.deepEqual(validateLabelSelector(null), []);
  assert.deepEqual(validateLabelSelector({}), []);

  const paths = (selector: Parameters<typeof validateLabelSelector>[0]) => validateLabelSelector(selector).map((e) => e.path);
  assert.deepEqual(paths({ matchExpressions: [{ key: "a", operator: "Equals", values: ["x"] }] }), ["matchExpressions[0].operator"]);
  assert.match(validateLabelSelector({ matchExpressions: [{ key: "a", operator: "Equals" }] })[0]?.message ?? "", /not a valid selector operator/);
  assert.deepEqual(paths({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }), ["matchExpressions[0].values"]);
  assert.match(validateLabelSelector({ matchExpressions: [{ key: "a", operator: "DoesNotExist", values: ["x"] }] })[0]?.message ?? "", /may not be specified/);
  assert.deepEqual(paths({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }), ["matchExpressions[0].values"]);
  assert.match(validateLabelSelector({ matchExpressions: [{ key: "a", operator: "NotIn" }] })[0]?.message ?? "", /must be specified when `operator` is 'In' or 'NotIn'/);
  assert.deepEqual(paths({ matchExpressions: [{ key: "-bad", operator: "Exists" }] }), ["matchExpressions[0].key"]);
  assert.deepEqual(paths({ matchExpressions: [{ key: "a", operator: "In", values: ["ok", "-bad"] }] }), ["matchExpressions[0].values[1]"]);
  assert.deepEqual(validateLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: ["-bad"] }] }, { allowInvalidLabelValues: true }), []);
  assert.deepEqual(paths({ matchLabels: { "bad key": "v", ok: "bad value" } }), ["matchLabels", "matchLabels[ok]"]);
  assert.deepEqual(
    validateLabelSelector({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, { path: "spec.selector" }).map((e) => e.path),
    ["spec.selector.matchExpressions[0].values"],
  );
});

test("validateQualifiedName: apimachinery validation_test.go TestIsQualifiedName", () => {
  // Source: k8s.io/apimachinery pkg/util/validation/validation_test.go TestIsQualifiedName.
  const success = [
    "simple",
    "now-with-dashes",
    "1-starts-with-num",
    "1234",
    "simple/simple",
    "now-with-dashes/simple",
    "now-with-dashes/now-with-dashes",
    "now.with.dots/simple",
    "now-with.dashes-and.dots/simple",
    "1-num.2-num/3-num",
    "1234/5678",
    "1.2.3.4/5678",
    "Uppercase_Is_OK_123",
    "example.com/Uppercase_Is_OK_123",
    "requests.storage-foo",
    "a".repeat(63),
    `${"a".repeat(253)}/${"b".repeat(63)}`,
  ];
  for (const value of success) assert.deepEqual(validateQualifiedName(value), [], value);
  const failure = [
    "nospecialchars%^=@",
    "cantendwithadash-",
    "-cantstartwithadash-",
    "only/one/slash",
    "Example.com/abc",
    "example_com/abc",
    "example.com/",
    "/simple",
    "a".repeat(64),
    `${"a".repeat(254)}/abc`,
  ];
  for (const value of failure) assert.notDeepEqual(validateQualifiedName(value), [], value);
  // The exact message nodeaffinity_test.go TestNodeSelectorMatch expects for the key "invalid key".
  assert.deepEqual(validateQualifiedName("invalid key"), [
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
});

test("validateLabelValue: apimachinery validation_test.go TestIsValidLabelValue", () => {
  // Source: k8s.io/apimachinery pkg/util/validation/validation_test.go TestIsValidLabelValue.
  for (const value of ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a".repeat(63), ""]) {
    assert.deepEqual(validateLabelValue(value), [], value);
  }
  for (const value of [
    "nospecialchars%^=@",
    "Tama-nui-te-rā.is.Māori.sun",
    "\\backslashes\\are\\bad",
    "-starts-with-dash",
    "ends-with-dash-",
    ".starts.with.dot",
    "ends.with.dot.",
    "a".repeat(64),
  ]) {
    assert.notDeepEqual(validateLabelValue(value), [], value);
  }
});

test("newRequirement: selector_test.go TestRequirementConstructor", () => {
  // Source: k8s.io/apimachinery pkg/labels/selector_test.go TestRequirementConstructor.
  const cases: [string, string, string[], boolean][] = [
    ["x", "in", [], false],
    ["x", "notin", [], false],
    ["x", "in", ["foo"], true],
    ["x", "notin", ["foo"], true],
    ["x", "exists", [], true],
    ["x", "!", [], true],
    ["1foo", "in", ["bar"], true],
    ["1234", "in", ["bar"], true],
    ["y", "gt", ["1"], true],
    ["z", "lt", ["6"], true],
    ["foo", "gt", ["bar"], false],
    ["barz", "lt", ["blah"], false],
    ["a".repeat(254), "exists", [], false], // breaks DNS rule that len(key) <= 253
  ];
  for (const [key, operator, values, success] of cases) {
    assert.equal(newRequirement(key, operator, values).errors.length === 0, success, `${key.slice(0, 10)} ${operator} ${values}`);
  }
  assert.equal(newRequirement("x", "~", []).errors[0]?.path, "operator");
  assert.equal(newRequirement("x", "=", ["a", "b"]).errors[0]?.message, "exact-match compatibility requires one single value");
});

test("matchesLabelRequirement: selector_test.go TestRequirementSelectorMatching", () => {
  // Source: k8s.io/apimachinery pkg/labels/selector_test.go TestRequirementSelectorMatching (one row per requirement list).
  const requirement = (key: string, operator: string, values: string[]) => newRequirement(key, operator, values).requirement;
  const all = (labels: Record<string, string>, reqs: ReturnType<typeof requirement>[]) => reqs.every((r) => matchesLabelRequirement(r, labels));
  assert.equal(all({ x: "foo", y: "baz" }, [requirement("x", "in", ["foo"]), requirement("y", "notin", ["alpha"])]), true);
  assert.equal(all({ x: "foo", y: "baz" }, [requirement("x", "in", ["foo"]), requirement("y", "in", ["alpha"])]), false);
  assert.equal(all({ y: "" }, [requirement("x", "notin", [""]), requirement("y", "exists", [])]), true);
  assert.equal(all({ y: "" }, [requirement("x", "!", []), requirement("y", "exists", [])]), true);
  assert.equal(all({ y: "" }, [requirement("x", "notin", [""]), requirement("y", "!", [])]), false);
  assert.equal(all({ y: "baz" }, [requirement("x", "in", [""])]), false);
  assert.equal(all({ z: "2" }, [requirement("z", "gt", ["1"])]), true);
  assert.equal(all({ z: "v2" }, [requirement("z", "gt", ["1"])]), false);
});

test("parseInt64 follows strconv.ParseInt(s, 10, 64)", () => {
  assert.equal(parseInt64("0206"), 206n); // leading zeros are decimal, as node affinity Gt relies on
  assert.equal(parseInt64("+5"), 5n);
  assert.equal(parseInt64("-9223372036854775808"), -(2n ** 63n));
  assert.equal(parseInt64("9223372036854775807"), 2n ** 63n - 1n);
  assert.equal(parseInt64("9223372036854775808"), undefined);
  for (const bad of ["", "-", "1.5", " 1", "1_000", "0x10"]) assert.equal(parseInt64(bad), undefined, bad);
});
