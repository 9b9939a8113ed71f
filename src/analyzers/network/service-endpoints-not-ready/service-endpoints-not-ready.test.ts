import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { serviceEndpointsNotReady } from "./service-endpoints-not-ready.js";

testAnalyzer(
  serviceEndpointsNotReady,
  {
    quiet: [
      {
        name: "ready backends, a rollout with one Ready pod, a pod still starting, publishNotReadyAddresses, no match, completed pods, stale endpoints",
        fixture: "quiet-healthy-and-borderline.yaml",
        now: "2024-05-01T10:00:00Z",
      },
    ],
    fires: [
      {
        name: "Endpoints list only notReadyAddresses",
        fixture: "fires-not-ready-addresses.yaml",
        now: "2024-05-01T09:20:00Z",
        expect: [
          {
            messageId: "noReadyEndpoints",
            subject: "Service/shop/checkout",
            severity: "error",
            evidenceValues: [{ app: "checkout" }, ["checkout-7c9d-abcde", "checkout-7c9d-fghij"], "False", "Readiness probe failed: HTTP probe failed with statuscode: 503"],
            affects: ["Pod/shop/checkout-7c9d-abcde", "Pod/shop/checkout-7c9d-fghij"],
          },
        ],
      },
      {
        name: "EndpointSlice endpoint with conditions.ready=false",
        fixture: "fires-endpointslice-not-ready.yaml",
        now: "2024-05-01T09:00:00Z",
        expect: [{ messageId: "noReadyEndpoints", subject: "Service/catalog/search", evidenceValues: [false, "False"], affects: ["Pod/catalog/search-0"] }],
      },
      {
        name: "no endpoint objects loaded; the only selected pod is Pending and not Ready",
        fixture: "fires-pods-only.yaml",
        now: "2024-05-01T10:10:00Z",
        expect: [{ messageId: "noReadyEndpoints", subject: "Service/jobs/worker-api", evidenceValues: ["False"], affects: ["Pod/jobs/worker-api-0"] }],
      },
    ],
  },
  import.meta.url,
);
