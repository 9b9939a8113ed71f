import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-case4-ingress-class-missing";
const missingClass = "case4-ingress-class-missing-nginx";

interface Counted { status?: { availableReplicas?: number } }
interface Slices { items: { endpoints?: { conditions?: { ready?: boolean } }[] | null }[] }
interface Ingress { spec?: { ingressClassName?: string } }

export const scenario: Scenario = {
  name: "case4-ingress-class-missing",
  description: "an Ingress names an IngressClass that does not exist, so no controller serves it; its Service and pods are healthy",
  namespaces: [ns],
  expect: [{ code: "ingress-backend-missing/ingressClassNotFound", subject: `Ingress/${ns}/docs`, area: "ingress" }],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    const classes = getJson<{ items: { metadata: { name: string } }[] }>(env, ["ingressclasses"]);
    if (classes.items.some((c) => c.metadata.name === missingClass)) throw new Error(`IngressClass ${missingClass} exists: the scenario needs it absent`);
    // The API keeps the class name as written (the DefaultIngressClass admission only fills an unset one).
    const ingress = getJson<Ingress>(env, ["ingress", "docs", "-n", ns]);
    if (ingress.spec?.ingressClassName !== missingClass) return false;
    // Everything behind the Ingress works: the backend has a ready endpoint.
    const deploy = getJson<Counted>(env, ["deployment", "docs", "-n", ns]);
    const slices = getJson<Slices>(env, ["endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=docs"]);
    return deploy.status?.availableReplicas === 1 && slices.items.flatMap((s) => s.endpoints ?? []).some((e) => e.conditions?.ready === true);
  },
};
