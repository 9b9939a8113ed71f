import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { runAnalyzer, testAnalyzer } from "../../../testing/analyzer-tester.js";
import { loadFixture } from "../../../testing/load-fixture.js";
import { serviceReferencesIn, serviceUrlNoEndpoints } from "./service-url-no-endpoints.js";

testAnalyzer(
  serviceUrlNoEndpoints,
  {
    quiet: [{ name: "callee has a ready endpoint; prose mention; finished pod", fixture: "quiet-endpoints-ready.yaml" }],
    fires: [
      {
        name: "env host, ConfigMap URL with credentials, <svc>.<ns> from another namespace",
        fixture: "fires-callers-of-empty-services.yaml",
        expect: [
          { messageId: "noEndpoints", subject: "Deployment/shop/checkout", evidenceValues: ["inventory", 0], affects: ["Pod/shop/checkout-5c9f-aaaaa"] },
          { messageId: "noEndpoints", subject: "Pod/shop/billing", evidenceValues: ["ledger.finance.svc.cluster.local:5432"] },
          { messageId: "noEndpoints", subject: "Pod/ops/probe", evidenceValues: ["inventory.shop:8080"] },
        ],
      },
    ],
  },
  import.meta.url,
);

describe("service-url-no-endpoints", () => {
  it("never puts a whole configured value (credentials) in the output", () => {
    const findings = runAnalyzer(serviceUrlNoEndpoints, loadFixture(new URL("./fixtures/fires-callers-of-empty-services.yaml", import.meta.url)));
    assert.ok(findings.length > 0);
    assert.ok(!JSON.stringify(findings).includes("s3cret"));
  });
  it("resolves the names a pod's resolver would: <svc>, <svc>.<ns>, <svc>.<ns>.svc[.domain]", () => {
    const exists = (ns: string, name: string): boolean => `${ns}/${name}` === "shop/api";
    const refs = (value: string, key = "X"): string[] => serviceReferencesIn(value, key, "shop", exists).map((r) => `${r.namespace}/${r.service} ${r.text}`);
    assert.deepEqual(refs("http://api:8080/v1"), ["shop/api api:8080"]);
    assert.deepEqual(refs("api.shop"), ["shop/api api.shop"]);
    assert.deepEqual(refs("grpc://api.shop.svc.cluster.local:9000"), ["shop/api api.shop.svc.cluster.local:9000"]);
    assert.deepEqual(refs("api.shop.svc"), ["shop/api api.shop.svc"]);
    assert.deepEqual(refs("api", "API_HOST"), ["shop/api api"]);
    // A bare word only counts as a host in a URL, as host:port, or as the whole value of a host-like key.
    assert.deepEqual(refs("api", "GREETING"), []);
    assert.deepEqual(refs("the api is down"), []);
    assert.deepEqual(refs("http://api.example.com/x"), []);
  });
});
