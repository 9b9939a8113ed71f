// Registry parity (STYLE.md convention 8): every analyzer folder is registered, named after its id,
// and has a test, a README with the fixed headings, and both kinds of fixture. The catalogue is fresh.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { ANALYZERS } from "../src/analyzers/registry.js";
import { AREAS } from "../src/model/finding.js";
import { renderCatalogue } from "./catalogue.js";

const root = new URL("../src/analyzers/", import.meta.url);
const HEADINGS = ["## What it detects", "## Why it matters", "## How to fix", "## Examples", "## Limitations"];

function analyzerFolders(): { area: string; id: string }[] {
  const out: { area: string; id: string }[] = [];
  for (const area of readdirSync(root)) {
    if (!statSync(new URL(area, root)).isDirectory()) continue;
    const areaUrl = new URL(`${area}/`, root);
    for (const id of readdirSync(areaUrl)) if (statSync(new URL(id, areaUrl)).isDirectory()) out.push({ area, id });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

describe("analyzer registry", () => {
  it("registers exactly the analyzer folders, sorted, ids unique", () => {
    const ids = ANALYZERS.map((a) => a.id);
    assert.deepEqual(ids, [...ids].sort(), "registry is sorted");
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    assert.deepEqual(ids, analyzerFolders().map((f) => f.id));
  });

  for (const a of ANALYZERS) {
    it(`${a.id}: folder, files, README, fixtures`, () => {
      assert.match(a.id, /^[a-z0-9]+(-[a-z0-9]+)+$/, "kebab-case <subject>-<problem>");
      assert.ok((AREAS as readonly string[]).includes(a.area));
      const dir = new URL(`${a.area}/${a.id}/`, root);
      assert.ok(existsSync(new URL(`${a.id}.ts`, dir)), "file named after the id, in <area>/<id>/");
      assert.ok(existsSync(new URL(`${a.id}.test.ts`, dir)), "has a test");
      const readme = readFileSync(new URL("README.md", dir), "utf8");
      assert.ok(readme.startsWith(`# ${a.id}\n`), "README starts with # <id>");
      for (const h of HEADINGS) assert.ok(readme.includes(`\n${h}\n`), `README has "${h}"`);
      const fixtures = readdirSync(new URL("fixtures/", dir));
      assert.ok(fixtures.some((f) => f.startsWith("fires-")), "has a fires-* fixture");
      assert.ok(fixtures.some((f) => f.startsWith("quiet-")), "has a quiet-* fixture");
      assert.ok(a.needs.length > 0 || a.needsControlPlane === true, "declares the kinds (or the control-plane data) it needs");
      for (const [id, m] of Object.entries(a.messages)) {
        assert.match(id, /^[a-z][A-Za-z0-9]+$/, "messageId is camelCase");
        assert.ok(m.summary && m.rootCause && m.remediation, `message ${id} has summary, rootCause and remediation`);
      }
    });
  }

  it("docs/analyzers.md is generated from the registry (run `npm run docs`)", () => {
    const current = readFileSync(new URL("../docs/analyzers.md", import.meta.url), "utf8");
    assert.equal(current, renderCatalogue(), "docs/analyzers.md is stale: run `npm run docs`");
  });
});
