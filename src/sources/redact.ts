// Secret values never leave the source layer: data/stringData values become a marker, keys and type stay.
// A Secret with a tls.crt first gets its sanitized certificate record (model/tls.ts) as an annotation; a docker-registry
// Secret its credential-free summary (Secret.registryAuth).
import type { KubeObject, RegistryAuthSummary } from "../model/kube.js";
import { pullSecretKey, summarizeRegistryConfig } from "../semantics/registry-credentials.js";
import { TLS_CERTIFICATE_ANNOTATION } from "../model/tls.js";
import { certificateRecord } from "./tls-record.js";

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

/** Whether an object is a Helm release ConfigMap (the ConfigMap storage driver: label owner=helm, key `release`). */
export function isHelmReleaseConfigMap(object: KubeObject): boolean {
  return object.kind === "ConfigMap" && object.metadata.labels?.owner === "helm" && typeof (object.data as Record<string, unknown> | undefined)?.release === "string";
}

/** A value of data (base64) or stringData (plain), decoded; undefined when absent or already redacted. */
function secretValue(object: KubeObject, key: string): string | undefined {
  const plain = (object.stringData as Record<string, unknown> | undefined)?.[key];
  if (typeof plain === "string" && plain !== REDACTED) return plain;
  const encoded = (object.data as Record<string, unknown> | undefined)?.[key];
  if (typeof encoded === "string" && encoded !== REDACTED) return Buffer.from(encoded, "base64").toString("utf8");
  return undefined;
}

/**
 * A copy of a Secret with every data and stringData value replaced by REDACTED; a Helm release ConfigMap
 * with its `release` payload replaced (it holds the chart's values and rendered Secrets; the snapshot
 * builder keeps the sanitized, decoded release instead). Other objects are returned as they are. When the Secret holds a tls.crt that is not redacted yet, its certificate
 * record is computed first and set as the TLS_CERTIFICATE_ANNOTATION annotation (replacing any
 * value the object came with); an already redacted Secret (read back from an archive) keeps its record.
 */
export function redactObject<T extends KubeObject>(object: T): T {
  if (isHelmReleaseConfigMap(object)) return { ...object, data: { ...(object.data as Record<string, unknown>), release: REDACTED } };
  if (object.kind !== "Secret") return object;
  const copy: KubeObject = { ...object, metadata: { ...object.metadata } };
  delete copy.registryAuth;
  const registryAuth = registryAuthOf(object);
  if (registryAuth) copy.registryAuth = registryAuth;
  const certificate = secretValue(object, "tls.crt");
  if (certificate !== undefined) {
    const record = certificateRecord(certificate, secretValue(object, "tls.key"));
    copy.metadata.annotations = { ...copy.metadata.annotations, [TLS_CERTIFICATE_ANNOTATION]: JSON.stringify(record) };
  }
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
