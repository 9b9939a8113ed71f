import { testAnalyzer } from "../../../testing/analyzer-tester.js";
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
