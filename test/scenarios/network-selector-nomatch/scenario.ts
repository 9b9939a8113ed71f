import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-network-selector-nomatch";

interface Counted { status?: { availableReplicas?: number } }
interface Slices { items: { endpoints?: unknown[] | null }[] }
interface Endpoints { subsets?: unknown[] }
interface Pods { items: { metadata: { labels?: Record<string, string> } }[] }

export const scenario: Scenario = {
  name: "network-selector-nomatch",
  description: "a Service whose selector has a label typo (app=payment vs app=payments) selects no pod and has no endpoints",
  namespaces: [ns],
  expect: [{ code: "service-selects-no-pods/noMatch", subject: `Service/${ns}/payment-api`, area: "network" }],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    // The intended pods run and are available...
    const deploy = getJson<Counted>(env, ["deployment", "payments", "-n", ns]);
    if (deploy.status?.availableReplicas !== 2) return false;
    const pods = getJson<Pods>(env, ["pods", "-n", ns]);
    if (pods.items.length !== 2 || pods.items.some((p) => p.metadata.labels?.app !== "payments")) return false;
    // ...and both endpoint controllers have processed the Service and found nothing: an EndpointSlice
    // without endpoints and an Endpoints object without subsets.
    const slices = getJson<Slices>(env, ["endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=payment-api"]);
    const endpoints = getJson<Endpoints>(env, ["endpoints", "payment-api", "-n", ns]);
    return slices.items.length > 0 && slices.items.every((s) => (s.endpoints ?? []).length === 0) && (endpoints.subsets ?? []).length === 0;
  },
};
