import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-case4-ingress-backend-port";

interface Counted { status?: { availableReplicas?: number } }
interface Slices { items: { endpoints?: { conditions?: { ready?: boolean } }[] | null }[] }
interface Service { spec?: { ports?: { port: number; name?: string }[] } }
interface Ingress { spec?: { rules?: { http?: { paths?: { backend?: { service?: { name?: string; port?: { number?: number } } } }[] } }[] } }

export const scenario: Scenario = {
  name: "case4-ingress-backend-port",
  description: "an Ingress routes to port 8080 of a Service that only exposes port 80 (8080 is the container's port)",
  namespaces: [ns],
  expect: [
    { code: "ingress-backend-missing/servicePortNotFound", subject: `Ingress/${ns}/api`, area: "ingress" },
    // The class names k8s.io/ingress-nginx and no ingress-nginx controller runs in the test cluster (the
    // healthy scenario's controller serves only its own class, k8s.io/e2e-healthy-nginx).
    { code: "ingress-controller-not-running/controllerNotRunning", subject: "IngressClass/case4-ingress-backend-port-nginx", area: "ingress", summaryIncludes: ["no ingress-nginx controller pod is running"] },
  ],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    // The class exists (only the port is wrong)...
    getJson(env, ["ingressclass", "case4-ingress-backend-port-nginx"]);
    // ...the Ingress routes to api:8080 while the Service exposes only 80...
    const ingress = getJson<Ingress>(env, ["ingress", "api", "-n", ns]);
    const backend = ingress.spec?.rules?.[0]?.http?.paths?.[0]?.backend?.service;
    const service = getJson<Service>(env, ["service", "api", "-n", ns]);
    if (backend?.name !== "api" || backend.port?.number !== 8080) return false;
    if ((service.spec?.ports ?? []).some((p) => p.port === 8080)) throw new Error("Service api exposes 8080: the scenario needs it not to");
    // ...and the Service itself works: its pod is a ready endpoint.
    const deploy = getJson<Counted>(env, ["deployment", "api", "-n", ns]);
    const slices = getJson<Slices>(env, ["endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=api"]);
    return deploy.status?.availableReplicas === 1 && slices.items.flatMap((s) => s.endpoints ?? []).some((e) => e.conditions?.ready === true);
  },
};
