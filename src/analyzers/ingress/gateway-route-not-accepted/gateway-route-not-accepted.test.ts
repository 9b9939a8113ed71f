import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { gatewayRouteNotAccepted } from "./gateway-route-not-accepted.js";

testAnalyzer(
  gatewayRouteNotAccepted,
  {
    quiet: [{ name: "programmed Gateway with an attached route; a mesh route whose parent is a Service", fixture: "quiet-attached-routes.yaml" }],
    fires: [
      {
        name: "route not allowed by listeners, backend not found, parent Gateway missing, Gateway not programmed",
        fixture: "fires-routes-and-gateway.yaml",
        expect: [
          { messageId: "routeNotAccepted", subject: "HTTPRoute/shop/store", evidenceValues: ["No listeners included by this parent ref allowed this attachment.", "NotAllowedByListeners"] },
          { messageId: "refsNotResolved", subject: "HTTPRoute/infra/checkout", evidenceValues: ["Failed to process route rule 0 backendRef 0: service infra/checkout-v2 not found.", "BackendNotFound"] },
          { messageId: "parentGatewayNotFound", subject: "HTTPRoute/web/blog", evidenceValues: ["public-gw"] },
          { messageId: "gatewayNotProgrammed", subject: "Gateway/infra/internal", evidenceValues: ["No addresses have been assigned to the Gateway"] },
        ],
      },
    ],
  },
  import.meta.url,
);
