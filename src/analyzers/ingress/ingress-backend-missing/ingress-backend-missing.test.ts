import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { ingressBackendMissing } from "./ingress-backend-missing.js";

testAnalyzer(
  ingressBackendMissing,
  {
    quiet: [
      {
        name: "default class, backend port by name and number, TLS Secret present, ExternalName backend, cert being issued, resource backend",
        fixture: "quiet-default-class-and-valid-refs.yaml",
        now: "2024-05-01T10:00:00Z",
      },
      { name: "IngressClasses, Services and Secrets not loaded", fixture: "quiet-kinds-not-loaded.yaml", now: "2024-05-01T10:00:00Z" },
    ],
    fires: [
      {
        name: "spec.ingressClassName names a missing class; annotation names a missing class",
        fixture: "fires-class-not-found.yaml",
        expect: [
          { messageId: "ingressClassNotFound", subject: "Ingress/shop/storefront", severity: "error", evidenceValues: ["nginx-internal", ["nginx"]] },
          { messageId: "ingressClassAnnotationNotFound", subject: "Ingress/shop/legacy", severity: "warning", evidenceValues: ["traefik"] },
        ],
      },
      {
        name: "no class named and no default class",
        fixture: "fires-no-default-class.yaml",
        expect: [{ messageId: "noIngressClass", subject: "Ingress/web/docs", severity: "warning", evidenceValues: [null, ["alb", "nginx"]] }],
      },
      {
        name: "missing Service, port number that is the targetPort, unknown port name, missing TLS Secrets",
        fixture: "fires-backends-and-tls.yaml",
        now: "2024-05-01T10:00:00Z",
        expect: [
          { messageId: "serviceNotFound", subject: "Ingress/shop/storefront", evidenceValues: ["web-frontend"] },
          { messageId: "servicePortNotFound", subject: "Ingress/shop/storefront", evidenceValues: [8080, ["http:80/TCP"]], affects: ["Service/shop/web-front"] },
          { messageId: "servicePortNotFound", subject: "Ingress/shop/storefront" }, // port name https: see the next case
          { messageId: "tlsSecretNotFound", subject: "Ingress/shop/storefront", evidenceValues: ["shop-tls"] },
          { messageId: "tlsSecretNotFound", subject: "Ingress/shop/status", evidenceValues: ["status-tls", "letsencrypt-prod"] },
        ],
      },
      {
        name: "backend port name the Service does not have",
        yaml: `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: admin, namespace: shop }
spec:
  rules:
    - http: { paths: [{ path: /admin, pathType: Prefix, backend: { service: { name: web-front, port: { name: https } } } }] }
---
apiVersion: v1
kind: Service
metadata: { name: web-front, namespace: shop }
spec: { ports: [{ name: http, port: 80, targetPort: 8080 }] }
`,
        expect: [{ messageId: "servicePortNotFound", subject: "Ingress/shop/admin", evidenceValues: ["https", ["http:80/TCP"]], affects: ["Service/shop/web-front"] }],
      },
    ],
  },
  import.meta.url,
);
