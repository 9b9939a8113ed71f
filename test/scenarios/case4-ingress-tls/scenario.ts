// An Ingress whose TLS Secret holds an expired certificate for another host (with its own key): the
// certificate record is derived from tls.crt before redaction, so the scan can say so without ever
// holding the key in its output.
import { fileURLToPath } from "node:url";
import type { Scenario } from "../../e2e/scenario.js";
import { apply, getJson } from "../../e2e/harness.js";

const ns = "e2e-case4-ingress-tls";

interface Counted { status?: { availableReplicas?: number } }
interface Secret { type?: string; data?: Record<string, string> }

export const scenario: Scenario = {
  name: "case4-ingress-tls",
  description: "an Ingress's TLS Secret holds a certificate that expired on 2024-04-01 and names old.example.com, not the Ingress's host",
  namespaces: [ns],
  expect: [
    // notAfter 2024-04-01T00:00:00Z and SAN old.example.com are the generator's inputs (fixtures/tls/test-certificates.json).
    { code: "ingress-tls-invalid/certificateNotValidNow", subject: `Ingress/${ns}/store`, area: "ingress", summaryIncludes: ["expired", "2024-04-01T00:00:00.000Z"] },
    { code: "ingress-tls-invalid/hostNotCovered", subject: `Ingress/${ns}/store`, area: "ingress", summaryIncludes: ["store.e2e.example"] },
  ],
  async setup(env) {
    apply(env, { file: fileURLToPath(new URL("manifests.yaml", import.meta.url)) });
  },
  async ready(env) {
    const secret = getJson<Secret>(env, ["secret", "store-tls", "-n", ns]);
    if (secret.type !== "kubernetes.io/tls" || !secret.data?.["tls.crt"] || !secret.data["tls.key"]) return false;
    const deploy = getJson<Counted>(env, ["deployment", "store", "-n", ns]);
    return deploy.status?.availableReplicas === 1;
  },
};
