// Secret values never leave the source layer: data/stringData values become a marker, keys and type stay.
import type { KubeObject, RegistryAuthSummary } from "../model/kube.js";
import { pullSecretKey, summarizeRegistryConfig } from "../semantics/registry-credentials.js";

export const REDACTED = "<redacted by kubesleuth>";

const SENSITIVE_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

/**
 * The credential-free summary of a docker-registry Secret, read from its values before they are redacted
 * (stringData wins over data, as the API server merges them). When the values are already redacted (a
 * kubesleuth archive read back), the summary the Secret carries is kept; otherwise it is recomputed,
 * so an input cannot bring its own summary next to real values.
 */
function registryAuthOf(object: KubeObject): RegistryAuthSummary | undefined {
  const key = pullSecretKey(typeof object.type === "string" ? object.type : undefined);
  if (!key) return undefined;
  const stringData = object.stringData as Record<string, unknown> | undefined;
  const data = object.data as Record<string, unknown> | undefined;
  const plain = stringData?.[key];
  const encoded = data?.[key];
  if (plain === REDACTED || (plain === undefined && encoded === REDACTED)) return object.registryAuth as RegistryAuthSummary | undefined;
  let text: string | undefined;
  if (typeof plain === "string") text = plain;
  else if (typeof encoded === "string") text = Buffer.from(encoded, "base64").toString("utf8");
  return summarizeRegistryConfig(object.type as string, text);
}

/** A copy of a Secret with every data and stringData value replaced by REDACTED. Other kinds are returned as they are. */
export function redactObject<T extends KubeObject>(object: T): T {
  if (object.kind !== "Secret") return object;
  const copy: KubeObject = { ...object, metadata: { ...object.metadata } };
  delete copy.registryAuth;
  const registryAuth = registryAuthOf(object);
  if (registryAuth) copy.registryAuth = registryAuth;
  for (const field of ["data", "stringData"] as const) {
    const values = object[field];
    if (values && typeof values === "object") {
      copy[field] = Object.fromEntries(Object.keys(values as Record<string, unknown>).map((k) => [k, REDACTED]));
    }
  }
  // kubectl apply keeps the whole Secret, values included, in this annotation.
  const annotations = copy.metadata.annotations;
  if (annotations) {
    const cleaned = { ...annotations };
    for (const a of SENSITIVE_ANNOTATIONS) if (a in cleaned) cleaned[a] = REDACTED;
    copy.metadata.annotations = cleaned;
  }
  return copy as T;
}
