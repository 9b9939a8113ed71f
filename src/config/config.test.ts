import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConfig } from "./config.js";

describe("config", () => {
  it("accepts suppressions, re-rating and failOn", () => {
    const result = parseConfig(`
failOn: warning
skip: [pod-not-ready]
suppressions:
  - code: service-selects-no-pods/noMatch
    namespace: legacy
  - code: pod-crash-looping/*
    severity: info
`);
    assert.ok(result.ok);
    assert.equal(result.config.failOn, "warning");
    assert.deepEqual(result.config.skip, ["pod-not-ready"]);
    assert.deepEqual(result.config.suppressions, [
      { code: "service-selects-no-pods/noMatch", namespace: "legacy" },
      { code: "pod-crash-looping/*", severity: "info" },
    ]);
  });

  it("reports every error with its dot path", () => {
    const result = parseConfig(`
failOn: fatal
colour: true
suppressions:
  - namespace: 3
  - code: ok-code
    severity: loud
`);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((e) => e.path),
      ["colour", "failOn", "suppressions[0].code", "suppressions[0].namespace", "suppressions[1].severity"],
    );
  });

  it("reports YAML syntax errors with line and column", () => {
    const result = parseConfig("suppressions:\n  - code: [unclosed\n");
    assert.ok(!result.ok);
    assert.match(result.errors[0]!.path, /^\d+:\d+$/);
  });

  it("an empty file is an empty config", () => {
    const result = parseConfig("");
    assert.ok(result.ok);
    assert.deepEqual(result.config.suppressions, []);
  });
});
