// Shared by the ingress analyzers: the IngressClass an Ingress belongs to.
import type { Ingress, IngressClass } from "../../model/kube.js";
import type { ClusterIndex } from "../../indexes/types.js";

const CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/** The name of the class an Ingress asks for: spec.ingressClassName, else the deprecated annotation. */
export function requestedClassName(ingress: Ingress): string | undefined {
  return ingress.spec?.ingressClassName ?? ingress.metadata.annotations?.[CLASS_ANNOTATION];
}

/** The IngressClass an Ingress belongs to: the one it names, else the single default class (DefaultIngressClass admission). */
export function classOfIngress(index: ClusterIndex, ingress: Ingress): IngressClass | undefined {
  const name = requestedClassName(ingress);
  if (name) return index.ingressClass(name);
  const defaults = index.defaultIngressClasses();
  return defaults.length === 1 ? defaults[0] : undefined;
}
