// Decides, from a node-diagnostics file, whether the control-plane static pod manifests are broken:
// kube-apiserver's --etcd-servers not served by the local etcd, referenced files missing, a bad
// --service-cluster-ip-range, unknown or conflicting admission plugins, unparseable manifests.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { NodeDiagnostics, StaticPodManifest } from "../../../model/node-diagnostics.js";
import type { ObjectRef } from "../../../model/ref.js";
import { collectedNote, debugCommand, DIAGNOSTICS_PATH, nodeRefOf } from "../../node/node-diagnostics.js";

/** kube-apiserver's admission plugins (pkg/kubeapiserver/options/plugins.go AllOrderedPlugins, 1.36). */
const ADMISSION_PLUGINS = new Set([
  "AlwaysAdmit", "NamespaceAutoProvision", "NamespaceLifecycle", "NamespaceExists", "LimitPodHardAntiAffinityTopology", "LimitRanger",
  "ServiceAccount", "NodeRestriction", "TaintNodesByCondition", "AlwaysPullImages", "ImagePolicyWebhook", "PodSecurity", "PodNodeSelector",
  "Priority", "DefaultTolerationSeconds", "PodTolerationRestriction", "EventRateLimit", "ExtendedResourceToleration", "DefaultStorageClass",
  "StorageObjectInUseProtection", "PodGroupProtection", "OwnerReferencesPermissionEnforcement", "PersistentVolumeClaimResize", "RuntimeClass",
  "CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest", "CertificateSubjectRestriction", "DefaultIngressClass",
  "DenyServiceExternalIPs", "PodTopologyLabels", "PodGroupWorkloadExists", "NodeDeclaredFeatureValidator", "JobValidation", "PodResizeValidator",
  "MutatingAdmissionPolicy", "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook", "ResourceQuota", "AlwaysDeny",
]);
/** Plugins removed from kube-apiserver, with the minor version that no longer has them. */
const REMOVED_PLUGINS: Record<string, number> = { PodPreset: 20, PodSecurityPolicy: 25, SecurityContextDeny: 30 };
/** Older plugins whose removal version is not recorded here: not judged, so an older apiserver is not flagged. */
const HISTORIC_PLUGINS = new Set(["Initializers", "DenyEscalatingExec", "DenyExecOnPrivileged", "PersistentVolumeLabel", "StorageObjectInUseProtection"]);
/** Path flags whose target the component creates itself, so its absence is normal. */
const CREATED_BY_COMPONENT = new Set(["data-dir", "wal-dir", "log-file", "audit-log-path", "log-dir", "cert-dir"]);
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);
/** Most host bits a service range may have without the MultiCIDRServiceAllocator (kube-apiserver maxCIDRBits). */
const MAX_SERVICE_CIDR_BITS = 20;

type Problem = { messageId: "etcdUrlMismatch" | "missingFile" | "serviceCidrInvalid" | "admissionPluginsInvalid" | "unparseable"; detail: string; evidence: Evidence[]; file?: string };

/** 4 or 6 for an IPv4 or IPv6 address (as Go's net.ParseIP reads them), else 0. */
function ipFamily(address: string): 4 | 6 | 0 {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) ? 4 : 0;
  if (!address.includes(":")) return 0;
  try {
    return new URL(`http://[${address}]/`).hostname.length > 2 ? 6 : 0;
  } catch {
    return 0;
  }
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function portOf(u: URL): string {
  return u.port || (u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "");
}

function flagEvidence(ref: ObjectRef, d: NodeDiagnostics, m: StaticPodManifest, flag: string): Evidence {
  const i = d.staticPods.available ? d.staticPods.manifests.indexOf(m) : -1;
  return { ref, path: `${DIAGNOSTICS_PATH}.staticPods.manifests[${i}].flags["${flag}"]`, value: m.flags[flag], note: `${m.file} (${m.component}); ${collectedNote(d)}` };
}

/** kube-apiserver's --etcd-servers against the etcd static pod's --listen-client-urls / --advertise-client-urls on the same node. */
function etcdProblems(ref: ObjectRef, d: NodeDiagnostics, api: StaticPodManifest, etcd: StaticPodManifest): Problem[] {
  const listen = list(etcd.flags["listen-client-urls"]).map(parseUrl).filter((u): u is URL => u !== undefined);
  const advertise = list(etcd.flags["advertise-client-urls"]);
  const localHosts = new Set([...LOOPBACK, ...listen.map((u) => u.hostname), ...advertise.map(parseUrl).filter((u): u is URL => u !== undefined).map((u) => u.hostname)]);
  const problems: Problem[] = [];
  for (const server of list(api.flags["etcd-servers"])) {
    const u = parseUrl(server);
    if (!u) {
      problems.push({ messageId: "etcdUrlMismatch", detail: `--etcd-servers entry "${server}" is not a URL`, evidence: [flagEvidence(ref, d, api, "etcd-servers")], file: api.file });
      continue;
    }
    if (!localHosts.has(u.hostname)) continue; // another etcd member (or an external cluster): not judged from this node
    const served = listen.some(
      (l) => l.protocol === u.protocol && portOf(l) === portOf(u) && (l.hostname === u.hostname || WILDCARD.has(l.hostname) || (LOOPBACK.has(l.hostname) && LOOPBACK.has(u.hostname))),
    );
    if (served) continue;
    const samePort = listen.find((l) => portOf(l) === portOf(u) && l.protocol !== u.protocol);
    problems.push({
      messageId: "etcdUrlMismatch",
      file: api.file,
      detail: `kube-apiserver --etcd-servers ${server} is not served by the local etcd (--listen-client-urls ${etcd.flags["listen-client-urls"] ?? "unset"}${samePort ? `; scheme differs: etcd serves ${samePort.protocol}//` : ""})`,
      evidence: [
        flagEvidence(ref, d, api, "etcd-servers"),
        ...(etcd.flags["listen-client-urls"] !== undefined ? [flagEvidence(ref, d, etcd, "listen-client-urls")] : []),
        ...(etcd.flags["advertise-client-urls"] !== undefined ? [flagEvidence(ref, d, etcd, "advertise-client-urls")] : []),
      ],
    });
  }
  return problems;
}

/** kube-apiserver's checks on --service-cluster-ip-range (pkg/controlplane/apiserver/options validateClusterIPFlags). */
export function serviceCidrErrors(value: string): string[] {
  const cidrs = value.split(",").map((s) => s.trim());
  const errors: string[] = [];
  if (cidrs.length > 2) errors.push(`--service-cluster-ip-range "${value}" has ${cidrs.length} ranges: at most 2 (one per IP family)`);
  const families: number[] = [];
  for (const cidr of cidrs) {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
    const family = m ? ipFamily(m[1]!) : 0;
    const bits = family === 4 ? 32 : 128;
    if (!m || family === 0 || Number(m[2]) > bits) {
      errors.push(`"${cidr}" is not a CIDR`);
      continue;
    }
    families.push(family);
    if (bits - Number(m[2]) > MAX_SERVICE_CIDR_BITS) {
      errors.push(`${cidr} is too large: for ${bits}-bit addresses the mask must be >= ${bits - MAX_SERVICE_CIDR_BITS} (unless MultiCIDRServiceAllocator and DisableAllocatorDualWrite are enabled)`);
    }
  }
  if (families.length === 2 && families[0] === families[1]) errors.push(`"${value}": the two ranges must be of different IP families`);
  return errors;
}

/** kube-apiserver's admission flags: known plugin names (for its version), and no plugin both enabled and disabled. */
function admissionErrors(api: StaticPodManifest): string[] {
  const minor = Number(/:v?1\.(\d+)/.exec(api.image ?? "")?.[1] ?? NaN);
  const enabled = list(api.flags["enable-admission-plugins"] ?? api.flags["admission-control"]);
  const disabled = list(api.flags["disable-admission-plugins"]);
  const errors: string[] = [];
  const both = enabled.filter((p) => disabled.includes(p));
  if (both.length) errors.push(`${both.join(", ")} in both --enable-admission-plugins and --disable-admission-plugins`);
  for (const [flag, plugins] of [["enable-admission-plugins", enabled], ["disable-admission-plugins", disabled]] as const) {
    for (const p of plugins) {
      if (ADMISSION_PLUGINS.has(p) || HISTORIC_PLUGINS.has(p)) continue;
      const removed = REMOVED_PLUGINS[p];
      if (removed !== undefined) {
        if (Number.isFinite(minor) && minor >= removed) errors.push(`--${flag} ${p}: removed in Kubernetes 1.${removed}, this kube-apiserver is 1.${minor}`);
        continue;
      }
      errors.push(`--${flag} ${p}: not an admission plugin of kube-apiserver`);
    }
  }
  return errors;
}

function problemsOf(d: NodeDiagnostics): Problem[] {
  if (!d.staticPods.available) return [];
  const ref = nodeRefOf(d);
  const manifests = d.staticPods.manifests;
  const problems: Problem[] = [];
  const index = (m: StaticPodManifest): number => manifests.indexOf(m);
  for (const m of manifests) {
    if (m.error) {
      problems.push({
        messageId: "unparseable",
        file: m.file,
        detail: `${m.file}: ${m.error}`,
        evidence: [{ ref, path: `${DIAGNOSTICS_PATH}.staticPods.manifests[${index(m)}].error`, value: m.error, note: `${d.staticPods.directory}/${m.file}; ${collectedNote(d)}` }],
      });
      continue;
    }
    const missing = m.files.filter((f) => !f.exists && !CREATED_BY_COMPONENT.has(f.flag));
    for (const f of missing) {
      problems.push({
        messageId: "missingFile",
        file: m.file,
        detail: `${m.component} --${f.flag}=${f.path} does not exist`,
        evidence: [{ ref, path: `${DIAGNOSTICS_PATH}.staticPods.manifests[${index(m)}].files[${m.files.indexOf(f)}].exists`, value: false, note: `${m.file}: --${f.flag}=${f.path}` }],
      });
    }
  }
  const api = manifests.find((m) => m.component === "kube-apiserver" && !m.error);
  const etcd = manifests.find((m) => m.component === "etcd" && !m.error);
  const kcm = manifests.find((m) => m.component === "kube-controller-manager" && !m.error);
  if (api && etcd && api.flags["etcd-servers"]) problems.push(...etcdProblems(ref, d, api, etcd));
  for (const m of [api, kcm]) {
    const range = m?.flags["service-cluster-ip-range"];
    if (!m || range === undefined) continue;
    for (const e of serviceCidrErrors(range)) problems.push({ messageId: "serviceCidrInvalid", detail: `${m.component}: ${e}`, evidence: [flagEvidence(ref, d, m, "service-cluster-ip-range")], file: m.file });
  }
  const apiRange = api?.flags["service-cluster-ip-range"];
  const kcmRange = kcm?.flags["service-cluster-ip-range"];
  if (api && kcm && apiRange !== undefined && kcmRange !== undefined && apiRange !== kcmRange) {
    problems.push({
      messageId: "serviceCidrInvalid",
      file: kcm.file,
      detail: `kube-apiserver allocates Service IPs from ${apiRange} but kube-controller-manager is given ${kcmRange}`,
      evidence: [flagEvidence(ref, d, api, "service-cluster-ip-range"), flagEvidence(ref, d, kcm, "service-cluster-ip-range")],
    });
  }
  if (api) {
    for (const e of admissionErrors(api)) {
      const flag = api.flags["enable-admission-plugins"] !== undefined ? "enable-admission-plugins" : "admission-control";
      problems.push({ messageId: "admissionPluginsInvalid", detail: e, evidence: [flagEvidence(ref, d, api, e.includes("--disable-admission-plugins ") ? "disable-admission-plugins" : flag)], file: api.file });
    }
  }
  return problems;
}

export const staticPodManifestInvalid = defineAnalyzer({
  id: "static-pod-manifest-invalid",
  title: "Control-plane static pod manifest broken",
  area: "control-plane",
  severity: "error",
  needs: ["Node"],
  messages: {
    etcdUrlMismatch: {
      summary: "kube-apiserver on {{node}} points at an etcd URL the local etcd does not serve: {{short}}",
      rootCause:
        "In /etc/kubernetes/manifests on {{node}}: {{detail}}. The API server cannot reach its storage: it fails its etcd readiness check (/readyz etcd), then exits and restarts, and the whole control plane on that node is down.",
      remediation: "Make kube-apiserver's --etcd-servers match one of etcd's --listen-client-urls (scheme, host and port), e.g. https://127.0.0.1:2379 for kubeadm's stacked etcd; the kubelet restarts the static pod when the file changes.",
    },
    missingFile: {
      summary: "Control-plane static pods on {{node}} reference {{count}} missing files: {{short}}",
      rootCause:
        "In /etc/kubernetes/manifests on {{node}}: {{detail}}. The component exits at start (\"open ...: no such file or directory\") and the kubelet restarts it in a loop.",
      remediation: "Restore the file (kubeadm init phase certs / kubeconfig regenerate kubeadm's ones) or fix the path in the manifest.",
    },
    serviceCidrInvalid: {
      summary: "Service IP range flags on {{node}} are wrong: {{short}}",
      rootCause: "In /etc/kubernetes/manifests on {{node}}: {{detail}}. kube-apiserver refuses to start with an invalid --service-cluster-ip-range; ranges that disagree between components lead to overlapping pod and Service addresses.",
      remediation: "Use one range per IP family, no larger than /12 for IPv4 (/108 for IPv6), and the same value in kube-apiserver and kube-controller-manager.",
    },
    admissionPluginsInvalid: {
      summary: "Admission plugin flags of kube-apiserver on {{node}} are wrong: {{short}}",
      rootCause: "In /etc/kubernetes/manifests/kube-apiserver.yaml on {{node}}: {{detail}}. kube-apiserver refuses to start with an unknown plugin name or a plugin both enabled and disabled, and the kubelet restarts it in a loop.",
      remediation: "Remove the unknown or removed plugin names (PodSecurityPolicy: use PodSecurity admission) and the overlap between --enable-admission-plugins and --disable-admission-plugins.",
    },
    unparseable: {
      summary: "A static pod manifest on {{node}} cannot be read: {{short}}",
      rootCause: "The kubelet cannot parse {{detail}} in /etc/kubernetes/manifests on {{node}}: it logs the error and does not run that static pod.",
      remediation: "Fix the YAML (or move stray files such as backups out of the manifests directory: the kubelet reads every file in it).",
      severity: "warning",
    },
  },
  run({ snapshot, report }) {
    for (const d of snapshot.nodeDiagnostics ?? []) {
      const problems = problemsOf(d);
      const byMessage = new Map<Problem["messageId"], Problem[]>();
      for (const p of problems) byMessage.set(p.messageId, [...(byMessage.get(p.messageId) ?? []), p]);
      for (const [messageId, list] of byMessage) {
        const detail = list.map((p) => p.detail).join("; ");
        const short = `${list[0]!.detail}${list.length > 1 ? ` (and ${list.length - 1} more)` : ""}`;
        const files = [...new Set(list.map((p) => p.file).filter((f): f is string => f !== undefined))];
        const paths = files.map((f) => `/etc/kubernetes/manifests/${f}`).join(" ");
        report(messageId, {
          subject: nodeRefOf(d),
          data: { node: d.node, detail, short, count: list.length },
          evidence: list.flatMap((p) => p.evidence),
          investigation: [{ step: "Read the static pod manifests on the node", command: debugCommand(d.node, `cat ${paths || "/etc/kubernetes/manifests/*.yaml"}`), result: detail, outcome: "problem" }],
          remediation: [
            {
              description: `Edit ${files.join(", ") || "the manifest"} on the node (or move a stray file out of the directory); the kubelet restarts the static pod when the file changes`,
              command: debugCommand(d.node, `ls -l ${paths || "/etc/kubernetes/manifests"}`),
              verify: `kubectl get pods -n kube-system -l tier=control-plane -o wide`,
            },
          ],
        });
      }
    }
  },
});
