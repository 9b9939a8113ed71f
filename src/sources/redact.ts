// Secret values never leave the source layer: data/stringData values become a marker, keys and type stay.
import type { KubeObject } from "../model/kube.js";

export const REDACTED = "<redacted by kubesleuth>";

const SENSITIVE_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

/** Whether an object is a Helm release ConfigMap (the ConfigMap storage driver: label owner=helm, key `release`). */
export function isHelmReleaseConfigMap(object: KubeObject): boolean {
  return object.kind === "ConfigMap" && object.metadata.labels?.owner === "helm" && typeof (object.data as Record<string, unknown> | undefined)?.release === "string";
}

/**
 * A copy of a Secret with every data and stringData value replaced by REDACTED; a Helm release ConfigMap
 * with its `release` payload replaced (it holds the chart's values and rendered Secrets; the snapshot
 * builder keeps the sanitized, decoded release instead). Other objects are returned as they are.
 */
export function redactObject<T extends KubeObject>(object: T): T {
  if (isHelmReleaseConfigMap(object)) return { ...object, data: { ...(object.data as Record<string, unknown>), release: REDACTED } };
  if (object.kind !== "Secret") return object;
  const copy: KubeObject = { ...object, metadata: { ...object.metadata } };
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
