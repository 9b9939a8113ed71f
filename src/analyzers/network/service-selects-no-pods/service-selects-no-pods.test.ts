import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { snapshotFromYaml } from "../../../testing/load-fixture.js";
import { serviceSelectsNoPods } from "./service-selects-no-pods.js";

testAnalyzer(
  serviceSelectsNoPods,
  {
    quiet: [{ name: "selector matches a pod; selector-less Service ignored", fixture: "quiet-selector-matches.yaml" }],
    fires: [
      {
        // Services select pods in their own namespace only; a label typo leaves it empty.
        name: "selector label typo, matching pod only in another namespace",
        fixture: "fires-label-typo.yaml",
        expect: [{ messageId: "noMatch", subject: "Service/shop/payments", evidenceValues: [{ app: "payment" }] }],
      },
    ],
  },
  import.meta.url,
);

describe("service-selects-no-pods when the Pods were not (all) read", () => {
  // The Service's pod exists in the cluster but is not in the snapshot: Pods forbidden to the scanning
  // identity, missing from the dump, or cut short when the API server went away mid-list.
  const yaml = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;
  const base = snapshotFromYaml(yaml);
  it("stays quiet when Pods are forbidden", () => {
    const coverage = { ...base.coverage, Pod: { count: 0, status: "forbidden" as const, note: "HTTP 403 Forbidden" } };
    assert.deepEqual(runAnalyzer(serviceSelectsNoPods, { ...base, coverage }), []);
  });
  it("stays quiet when the Pod list is partial", () => {
    const coverage = { ...base.coverage, Pod: { count: 0, status: "partial" as const, note: "not read: connect ECONNREFUSED" } };
    assert.deepEqual(runAnalyzer(serviceSelectsNoPods, { ...base, coverage }), []);
  });
  it("stays quiet when the snapshot holds no Pods at all (not collected)", () => {
    assert.deepEqual(runAnalyzer(serviceSelectsNoPods, base), []);
  });
  it("still fires when the Pods were read completely and none matches", () => {
    const coverage = { ...base.coverage, Pod: { count: 0, status: "ok" as const } };
    assert.deepEqual(runAnalyzer(serviceSelectsNoPods, { ...base, coverage }).map((f) => f.code), ["service-selects-no-pods/noMatch"]);
  });
});
