import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { ingressPathConflict, pathKey } from "./ingress-path-conflict.js";

testAnalyzer(
  ingressPathConflict,
  {
    quiet: [{ name: "prefix vs longer name, Exact vs Prefix, other class, same backend, ImplementationSpecific", fixture: "quiet-distinct-paths.yaml" }],
    fires: [
      {
        name: "two Ingresses claim shop.example.com /api and /api/ (one Prefix) for different Services",
        fixture: "fires-same-prefix-two-teams.yaml",
        expect: [{ messageId: "samePathDifferentBackends", subject: "Ingress/shop/web", severity: "warning", evidenceValues: ["/api", "/api/"], affects: ["Ingress/shop/api-v2"] }],
      },
    ],
  },
  import.meta.url,
);

// The Ingress API's examples table (concepts/services-networking/ingress, "Examples"): Prefix /foo/ matches
// /foo; Prefix /aaa/bb does not match /aaa/bbb; Exact /foo does not match /foo/.
describe("pathKey", () => {
  it("Prefix ignores a trailing slash and compares whole elements", () => {
    assert.equal(pathKey("Prefix", "/foo/"), pathKey("Prefix", "/foo"));
    assert.notEqual(pathKey("Prefix", "/aaa/bb"), pathKey("Prefix", "/aaa/bbb"));
  });
  it("Exact is the string", () => {
    assert.notEqual(pathKey("Exact", "/foo"), pathKey("Exact", "/foo/"));
  });
  it("ImplementationSpecific has no key", () => {
    assert.equal(pathKey("ImplementationSpecific", "/foo"), undefined);
  });
});
