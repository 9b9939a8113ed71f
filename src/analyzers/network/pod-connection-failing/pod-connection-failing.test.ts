import { it } from "node:test";
import assert from "node:assert/strict";
import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { podConnectionFailing } from "./pod-connection-failing.js";
import { failedConnectionOf } from "./log-failures.js";

const log = (namespace: string, pod: string, container: string, text: string) => ({ namespace, pod, container, previous: false, text });
const STOREFRONT_LINE = 'level=error msg="order lookup failed" err="Get \\"http://orders.shop.svc.cluster.local/api/orders\\": dial tcp 10.0.0.20:80: i/o timeout"';
const REPORTS_LINE = "Error: getaddrinfo ENOTFOUND billing.shop.svc.cluster.local";

testAnalyzer(
  podConnectionFailing,
  {
    quiet: [
      {
        name: "failures to an external host and to a bare name that is no Service; ordinary log lines",
        fixture: "quiet-external-and-healthy.yaml",
        logs: [
          log("shop", "api-1", "api", "listening on :8080\nGet \"https://api.stripe.com/v1/charges\": dial tcp 54.187.174.169:443: i/o timeout\ndial tcp: lookup redis on 10.96.0.10:53: no such host\n"),
        ],
      },
    ],
    fires: [
      {
        // Expected from the NetworkPolicy API: orders-1 is selected by both policies (isolated for
        // ingress); default-deny-ingress has no rules; orders-from-web's only peer ANDs namespace web
        // with app=web, and storefront-1 carries app=storefront: no rule admits it. billing.shop names
        // no Service in namespace shop (which exists): the lookup fails before any connection.
        name: "NetworkPolicy denies the caller; a Service name that does not exist",
        fixture: "fires-policy-and-dns.yaml",
        logs: [log("web", "storefront-1", "storefront", `starting\n${STOREFRONT_LINE}\n`), log("web", "reports-1", "reports", `${REPORTS_LINE}\n`)],
        expect: [
          { messageId: "rootCause", subject: "Pod/web/storefront-1", severity: "error", evidenceValues: [STOREFRONT_LINE, []] },
          { messageId: "rootCause", subject: "Pod/web/reports-1", severity: "error", evidenceValues: [REPORTS_LINE, "billing"] },
        ],
      },
      {
        // cache.shop exists, selects a Ready pod, no NetworkPolicy and a Ready node: nothing fails;
        // cluster DNS and the CNI are not in the snapshot, so those hops stay undecided.
        name: "connection refused to a Service whose path checks out",
        yaml: `
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: Service
metadata: { name: cache, namespace: shop }
spec: { selector: { app: cache }, ports: [{ port: 6379 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: cache-0, namespace: shop, labels: { app: cache } }
spec: { nodeName: node-a, containers: [{ name: redis, image: redis:7, ports: [{ containerPort: 6379 }] }] }
status: { phase: Running, podIP: 10.244.1.3, conditions: [{ type: Ready, status: "True" }] }
---
apiVersion: v1
kind: Pod
metadata: { name: api-1, namespace: shop, labels: { app: api } }
spec: { nodeName: node-a, containers: [{ name: api, image: api:1 }] }
status: { phase: Running, podIP: 10.244.1.9, conditions: [{ type: Ready, status: "False" }] }
---
apiVersion: v1
kind: Node
metadata: { name: node-a }
status: { conditions: [{ type: Ready, status: "True" }] }
`,
        logs: [log("shop", "api-1", "api", "redis: dial tcp cache.shop:6379: connect: connection refused\n")],
        expect: [{ messageId: "cannotDetermine", subject: "Pod/shop/api-1", severity: "warning", evidenceValues: ["redis: dial tcp cache.shop:6379: connect: connection refused"] }],
      },
    ],
  },
  import.meta.url,
);

it("pod-connection-failing: the destination of a failed connection, as clients print it", () => {
  // Go net/http: the URL host is the name the client used; the dialled port is the Service port.
  assert.deepEqual(failedConnectionOf('Get "http://orders.shop.svc/": dial tcp 10.0.0.20:80: i/o timeout'), { line: 'Get "http://orders.shop.svc/": dial tcp 10.0.0.20:80: i/o timeout', host: "orders.shop.svc", port: 80 });
  // Go resolver: "lookup <name> on <dns server>": the DNS server is not the destination.
  assert.equal(failedConnectionOf("dial tcp: lookup api.shop on 10.96.0.10:53: no such host")?.host, "api.shop");
  // Node.js
  assert.deepEqual(failedConnectionOf("Error: connect ECONNREFUSED 10.0.0.7:5432"), { line: "Error: connect ECONNREFUSED 10.0.0.7:5432", host: "10.0.0.7", port: 5432 });
  assert.equal(failedConnectionOf("context deadline exceeded while calling grpc://payments.pay:9090")?.port, 9090);
  assert.equal(failedConnectionOf("GET /healthz 200"), undefined);
});
