// Decides, from a node-diagnostics file, whether kubeadm PKI or kubelet client certificates have expired, expire within 30 days, or do not match their key.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { CertificateInfo, NodeDiagnostics } from "../../../model/node-diagnostics.js";
import { collectedNote, debugCommand, DIAGNOSTICS_PATH, nodeRefOf } from "../../node/node-diagnostics.js";

const DAY_MS = 86_400_000;
/** Certificates expiring within this many days are reported (kubeadm renews on upgrade; a year-old cluster without upgrades runs out). */
const WARN_DAYS = 30;

const isKubelet = (c: CertificateInfo): boolean => c.path.startsWith("/var/lib/kubelet/");

function fix(d: NodeDiagnostics, certs: CertificateInfo[]): { description: string; command: string; verify: string }[] {
  const out = [];
  if (certs.some((c) => !isKubelet(c))) {
    out.push({
      description: "Renew the kubeadm certificates, then restart the control-plane static pods so they load them",
      command: debugCommand(d.node, "sh -c 'kubeadm certs renew all && for c in kube-apiserver kube-controller-manager kube-scheduler etcd; do crictl ps -q --name $c | xargs -r crictl stop; done'"),
      verify: debugCommand(d.node, "kubeadm certs check-expiration"),
    });
  }
  if (certs.some(isKubelet)) {
    out.push({
      description: "Let the kubelet get a new client certificate: check rotateCertificates is on and its CSRs are approved; if the current one has expired, bootstrap again",
      command: `kubectl get csr --sort-by=.metadata.creationTimestamp | grep system:node:${d.node}`,
      verify: debugCommand(d.node, "openssl x509 -noout -enddate -in /var/lib/kubelet/pki/kubelet-client-current.pem"),
    });
  }
  return out;
}

export const nodeCertificateExpiring = defineAnalyzer({
  id: "node-certificate-expiring",
  title: "Control-plane or kubelet certificate expired or expiring",
  area: "control-plane",
  severity: "warning",
  needs: ["Node"],
  messages: {
    expired: {
      summary: "{{count}} certificates on {{node}} have expired: {{certs}}",
      rootCause:
        "The node-diagnostics file of {{node}} shows certificates past their notAfter: {{certs}}. TLS peers reject an expired certificate: an expired apiserver or etcd certificate stops the control plane (\"x509: certificate has expired or is not yet valid\"), an expired kubelet client certificate makes the node unable to authenticate, so it goes NotReady.",
      remediation: "Renew them (kubeadm certs renew all on control-plane nodes; kubelet client certificates rotate through CSRs) and restart the components that use them.",
      severity: "error",
    },
    expiring: {
      summary: "{{count}} certificates on {{node}} expire within " + `${WARN_DAYS}` + " days: {{certs}}",
      rootCause:
        "The node-diagnostics file of {{node}} shows certificates close to their notAfter: {{certs}}. When they expire the component that presents them is rejected by its peers (x509: certificate has expired).",
      remediation: "Renew them before they expire: kubeadm certs renew all (then restart the static pods), or check kubelet certificate rotation.",
    },
    keyMismatch: {
      summary: "Certificates on {{node}} do not match their private key: {{certs}}",
      rootCause:
        "The node-diagnostics file of {{node}} shows certificates whose key file belongs to another key pair: {{certs}}. The component fails to start its TLS listener or client (\"tls: private key does not match public key\").",
      remediation: "Put the matching key beside the certificate, or issue a new certificate for the key (kubeadm certs renew <name>).",
      severity: "error",
    },
  },
  run({ snapshot, now, report }) {
    for (const d of snapshot.nodeDiagnostics ?? []) {
      if (!d.certificates.available) continue;
      const ref = nodeRefOf(d);
      const all = d.certificates.certificates;
      const daysLeft = (c: CertificateInfo): number => Math.floor((Date.parse(c.notAfter) - now) / DAY_MS);
      const groups = {
        expired: all.filter((c) => Date.parse(c.notAfter) <= now),
        expiring: all.filter((c) => Date.parse(c.notAfter) > now && daysLeft(c) < WARN_DAYS),
        keyMismatch: all.filter((c) => c.key === "does not match"),
      };
      for (const [messageId, certs] of Object.entries(groups) as [keyof typeof groups, CertificateInfo[]][]) {
        if (certs.length === 0) continue;
        const describe = (c: CertificateInfo): string =>
          messageId === "keyMismatch" ? c.path : messageId === "expired" ? `${c.path} (expired ${c.notAfter.slice(0, 10)}, ${-daysLeft(c)} days ago)` : `${c.path} (${daysLeft(c)} days left, ${c.notAfter.slice(0, 10)})`;
        const evidence: Evidence[] = certs.map((c) => ({
          ref,
          path: `${DIAGNOSTICS_PATH}.certificates.certificates[${all.indexOf(c)}].${messageId === "keyMismatch" ? "key" : "notAfter"}`,
          value: messageId === "keyMismatch" ? c.key : c.notAfter,
          note: `${c.path}: subject ${c.subject}; ${collectedNote(d)}`,
        }));
        report(messageId, {
          subject: ref,
          data: { node: d.node, count: certs.length, certs: certs.map(describe).join(", ") },
          evidence,
          investigation: [
            {
              step: "List the certificates and their expiry on the node",
              command: debugCommand(d.node, "kubeadm certs check-expiration"),
              result: certs.map(describe).join("; "),
              outcome: "problem",
            },
          ],
          remediation: fix(d, certs),
        });
      }
    }
  },
});
