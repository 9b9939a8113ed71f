// Secret values never leave the source layer: data/stringData values become a marker, keys and type stay.
// A Secret with a tls.crt first gets its sanitized certificate record (model/tls.ts) as an annotation.
import type { KubeObject } from "../model/kube.js";
import { TLS_CERTIFICATE_ANNOTATION } from "../model/tls.js";
import { certificateRecord } from "./tls-record.js";

export const REDACTED = "<redacted by kubesleuth>";

const SENSITIVE_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

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
