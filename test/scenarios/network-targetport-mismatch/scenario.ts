import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-network-targetport-mismatch";

interface Counted { status?: { availableReplicas?: number } }
interface Slices {
  items: { endpoints?: { conditions?: { ready?: boolean } }[] | null; ports?: { name?: string; port?: number }[] | null }[];
}

export const scenario: Scenario = {
  name: "network-targetport-mismatch",
  description: "a Service port targets the named port http that no container defines (the pods call it web); its other port resolves",
  namespaces: [ns],
  // Only the broken port is reported: the pods are Ready (so no service-endpoints-not-ready) and the
  // "metrics" port resolves on every pod (so nothing about it).
  expect: [{ code: "service-target-port-mismatch/namedPortNotFound", subject: `Service/${ns}/checkout`, area: "network" }],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    const deploy = getJson<Counted>(env, ["deployment", "checkout", "-n", ns]);
    if (deploy.status?.availableReplicas !== 2) return false;
    // The EndpointSlice controller resolves targetPort per pod (podutil.FindPort): both Ready pods are
    // endpoints, but only for the "metrics" port; the Service's "http" port has no backend at all.
    const slices = getJson<Slices>(env, ["endpointslices", "-n", ns, "-l", "kubernetes.io/service-name=checkout"]);
    const endpoints = slices.items.flatMap((s) => s.endpoints ?? []);
    const ports = new Set(slices.items.flatMap((s) => (s.ports ?? []).map((p) => p.name)));
    return endpoints.length === 2 && endpoints.every((e) => e.conditions?.ready === true) && ports.has("metrics") && !ports.has("http");
  },
};
