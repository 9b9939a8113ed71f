import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TOOL_VERSION } from "../src/version.js";

describe("package", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  it("TOOL_VERSION equals package.json's version", () => assert.equal(TOOL_VERSION, pkg.version));
  it("ships both bins (kubesleuth and the kubectl plugin name)", () => {
    assert.deepEqual(Object.keys(pkg.bin).sort(), ["kubectl-sleuth", "kubesleuth"]);
  });
  it("the README leads with the two commands CI and newcomers run", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const firstBlock = readme.split("```sh\n")[1]!.split("```")[0]!;
    assert.match(firstBlock, /kubesleuth\.js scan examples\/shop-cluster/);
    assert.match(firstBlock, /^npm test/m);
    const ci = readFileSync(new URL("../.ci/run", import.meta.url), "utf8");
    assert.match(ci, /^npm test$/m);
  });
});
