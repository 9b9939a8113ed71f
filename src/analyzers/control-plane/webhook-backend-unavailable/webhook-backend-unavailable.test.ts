import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { webhookBackendUnavailable } from "./webhook-backend-unavailable.js";

testAnalyzer(
  webhookBackendUnavailable,
  {
    quiet: [{ name: "ready backend, Ignore policy, URL webhook", fixture: "quiet-served-or-ignore.yaml" }],
    fires: [
      {
        // failurePolicy unset defaults to Fail (admissionregistration/v1); the only endpoint is not ready.
        name: "no ready endpoints, FailedCreate events",
        fixture: "fires-no-endpoints.yaml",
        expect: [
          {
            messageId: "blocking",
            subject: "ValidatingWebhookConfiguration/policy-guard",
            evidenceValues: ["guard/guard-webhook:443", "Fail", "CREATE,UPDATE pods (core)", 0],
            affects: ["ReplicaSet/shop/web-6f7c9", "Deployment/shop/web"],
          },
        ],
      },
      {
        name: "Service missing, 25 s timeout",
        fixture: "fires-missing-service-long-timeout.yaml",
        expect: [
          { messageId: "blocking", subject: "MutatingWebhookConfiguration/injector", evidenceValues: ["mesh/injector", "Fail"] },
          { messageId: "longTimeout", subject: "MutatingWebhookConfiguration/injector", evidenceValues: [25] },
        ],
      },
    ],
  },
  import.meta.url,
);
