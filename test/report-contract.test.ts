// Every report kubesleuth can produce from the fixtures in the repo validates against the published schema.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ANALYZERS } from "../src/analyzers/registry.js";
import { runAnalyzers } from "../src/run/run-analyzers.js";
import { loadFixture } from "../src/testing/load-fixture.js";
import { schemaErrors } from "./report-schema.js";

const analyzersDir = fileURLToPath(new URL("../src/analyzers/", import.meta.url));

function fixtureFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) fixtureFiles(path, out);
    else if (path.includes("/fixtures/") && /\.ya?ml$/.test(entry)) out.push(path);
  }
  return out.sort();
}

describe("report contract", () => {
  const files = fixtureFiles(analyzersDir);
  it("finds the analyzer fixtures", () => assert.ok(files.length >= 2 * ANALYZERS.length));
  it("every report over every analyzer fixture, all analyzers on, matches schema/report.schema.json", () => {
    let findings = 0;
    for (const file of files) {
      const { report } = runAnalyzers(loadFixture(file), ANALYZERS, { stats: true });
      findings += report.findings.length;
      assert.deepEqual(schemaErrors(report), [], file);
      for (const f of report.findings) {
        assert.ok(!/\{\{\w+\}\}/.test(f.summary + f.rootCause), `unfilled placeholder in ${f.code}: ${f.summary}`);
        assert.ok(f.evidence.length > 0, `${f.code} has evidence`);
      }
    }
    assert.ok(findings > 0, "the fires-fixtures produced findings to check");
  });
});
