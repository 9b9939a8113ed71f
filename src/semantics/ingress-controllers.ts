// Which pods implement an IngressClass's spec.controller: the well-known ingress controllers, recognised
// by their image, arguments and labels. A controller not in this table is "cannot determine", not "absent".
import type { Container, Pod } from "../model/kube.js";

export interface KnownIngressController {
  /** The spec.controller values this controller claims. */
  controllers: readonly string[];
  /** Human name for messages. */
  name: string;
  /** A container of this controller: the image path (registry and tag stripped) ends with one of these. */
  images: readonly string[];
}

/**
 * Known controller names and images, from each project's documentation and default manifests:
 * ingress-nginx (`--controller-class`, default k8s.io/ingress-nginx), NGINX Inc's NGINX Ingress
 * Controller, Traefik, HAProxy Ingress, Contour (projectcontour.io/ingress-controller; some guides
 * write projectcontour.io/contour), Kong (ingress-controllers.konghq.com/kong) and the AWS Load
 * Balancer Controller (ingress.k8s.aws/alb).
 */
export const KNOWN_INGRESS_CONTROLLERS: readonly KnownIngressController[] = [
  { controllers: ["k8s.io/ingress-nginx"], name: "ingress-nginx", images: ["ingress-nginx/controller", "ingress-nginx/controller-chroot", "nginx-ingress-controller"] },
  { controllers: ["nginx.org/ingress-controller"], name: "NGINX Ingress Controller", images: ["nginx/nginx-ingress", "nginx-ic/nginx-plus-ingress"] },
  { controllers: ["traefik.io/ingress-controller"], name: "Traefik", images: ["traefik"] },
  { controllers: ["haproxy-ingress.github.io/controller"], name: "HAProxy Ingress", images: ["jcmoraisjr/haproxy-ingress", "haproxy-ingress"] },
  { controllers: ["haproxy.org/ingress-controller"], name: "HAProxy Kubernetes Ingress Controller", images: ["haproxytech/kubernetes-ingress"] },
  { controllers: ["projectcontour.io/ingress-controller", "projectcontour.io/contour"], name: "Contour", images: ["projectcontour/contour"] },
  { controllers: ["ingress-controllers.konghq.com/kong"], name: "Kong Ingress Controller", images: ["kong/kubernetes-ingress-controller", "kong/kong-gateway"] },
  { controllers: ["ingress.k8s.aws/alb"], name: "AWS Load Balancer Controller", images: ["eks/aws-load-balancer-controller", "aws-load-balancer-controller"] },
];

/** `registry.k8s.io/ingress-nginx/controller:v1.11.2@sha256:..` -> `ingress-nginx/controller` (no registry host, tag or digest). */
export function imagePath(image: string): string {
  let rest = image.split("@")[0]!;
  const slash = rest.indexOf("/");
  const first = slash < 0 ? "" : rest.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") rest = rest.slice(slash + 1);
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) rest = rest.slice(0, colon);
  return rest.replace(/^library\//, "");
}

/** The value of `--flag=value` or `--flag value` in a container's command and args. */
export function argValue(container: Container, flag: string): string | undefined {
  const args = [...(container.command ?? []), ...(container.args ?? [])];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === flag) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

export function knownController(controller: string): KnownIngressController | undefined {
  return KNOWN_INGRESS_CONTROLLERS.find((k) => k.controllers.includes(controller));
}

/** The container of a pod that runs one of the known controllers' images, if any. */
export function ingressControllerContainer(pod: Pod, known: KnownIngressController): Container | undefined {
  return (pod.spec?.containers ?? []).find((c) => {
    const path = imagePath(c.image ?? "");
    return known.images.some((i) => path === i || path.endsWith(`/${i}`));
  });
}

/**
 * Whether a pod runs the controller of `controller` (an IngressClass spec.controller). ingress-nginx and
 * Contour serve exactly the class named by their flag (`--controller-class`, default
 * k8s.io/ingress-nginx; Contour `--ingress-class-name` selects classes by name, not by controller),
 * so a pod of the right image with another `--controller-class` does not serve it.
 */
export function podRunsIngressController(pod: Pod, controller: string): boolean {
  const known = knownController(controller);
  if (!known) return false;
  const container = ingressControllerContainer(pod, known);
  if (!container) return false;
  if (known.name === "ingress-nginx") return (argValue(container, "--controller-class") ?? "k8s.io/ingress-nginx") === controller;
  return true;
}

/** Every known controller image path, for picking controller pods whose logs are worth reading. */
export function isKnownIngressControllerPod(pod: Pod): boolean {
  return KNOWN_INGRESS_CONTROLLERS.some((k) => ingressControllerContainer(pod, k) !== undefined);
}

/** Whether the controller writes Ingress status (ingress-nginx `--update-status=false` turns it off). */
export function controllerUpdatesStatus(pod: Pod, controller: string): boolean {
  const known = knownController(controller);
  const container = known && ingressControllerContainer(pod, known);
  if (!container) return true;
  return argValue(container, "--update-status") !== "false";
}
