// Decides which workloads reference a ConfigMap or Secret (or a key in one) that does not exist: from the kubelet's CreateContainerConfigError and FailedMount messages, and from the pod specs against the snapshot.
import { defineAnalyzer, type AnalyzerContext } from "../../define.js";
import { editDistance as distance } from "../../similar-names.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Event, KubeObject, Pod, Volume } from "../../../model/kube.js";
import { formatRef, refOf, type ObjectRef } from "../../../model/ref.js";
import type { Snapshot } from "../../../model/snapshot.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import {
  WORKLOAD_KINDS,
  canRollout,
  containerEntries,
  eventEvidence,
  groupByWorkload,
  isSettled,
  kubectlTarget,
  podCount,
  podEvents,
  podEventsCommand,
  podNames,
  verifyCommand,
} from "../workload-pods.js";

type ConfigKind = "ConfigMap" | "Secret";

/** Published into every namespace by the control plane (root-ca-cert-publisher); not the user's configuration. */
const CONTROL_PLANE_CONFIGMAPS = new Set(["kube-root-ca.crt"]);

/** One missing object or key, as one pod needs it. */
interface Missing {
  kind: ConfigKind;
  name: string;
  /** The missing key; absent when the whole object is missing. */
  key?: string;
  /** Where the pod spec names it (`spec.containers[0].env[2].valueFrom.configMapKeyRef`). */
  reference?: string;
  /** The pod cannot start because of it (kubelet error, or a Pending pod); else running pods will fail on restart. */
  blocking: boolean;
  evidence: Evidence[];
  /** What the kubelet said, when it did. */
  kubeletMessage?: string;
}

const missingKey = (m: Pick<Missing, "kind" | "name" | "key">): string => `${m.kind}/${m.name}/${m.key ?? ""}`;

/** The kubelet's texts (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables, pkg/kubelet/util/manager, pkg/volume/configmap|secret). */
function parseKubeletMessage(message: string): Pick<Missing, "kind" | "name" | "key"> | undefined {
  let m = /\bconfigmap "([^"]+)" not found/i.exec(message);
  if (m) return { kind: "ConfigMap", name: m[1]! };
  m = /\bsecret "([^"]+)" not found/i.exec(message);
  if (m) return { kind: "Secret", name: m[1]! };
  m = /couldn't find key (\S+) in (ConfigMap|Secret) [^/\s]+\/(\S+)/i.exec(message);
  if (m) return { kind: m[2]!.toLowerCase() === "configmap" ? "ConfigMap" : "Secret", name: m[3]!, key: m[1]! };
  return undefined;
}

/** ConfigMap and Secret sources of a pod volume (direct or projected) with the keys it maps. */
function volumeSources(volume: Volume, path: string): { kind: ConfigKind; name: string; optional: boolean; items: string[]; path: string }[] {
  const out: { kind: ConfigKind; name: string; optional: boolean; items: string[]; path: string }[] = [];
  if (volume.configMap) out.push({ kind: "ConfigMap", name: volume.configMap.name, optional: volume.configMap.optional === true, items: (volume.configMap.items ?? []).map((i) => i.key), path: `${path}.configMap` });
  if (volume.secret) out.push({ kind: "Secret", name: volume.secret.secretName, optional: volume.secret.optional === true, items: (volume.secret.items ?? []).map((i) => i.key), path: `${path}.secret` });
  (volume.projected?.sources ?? []).forEach((s, j) => {
    if (s.configMap) out.push({ kind: "ConfigMap", name: s.configMap.name, optional: s.configMap.optional === true, items: (s.configMap.items ?? []).map((i) => i.key), path: `${path}.projected.sources[${j}].configMap` });
    if (s.secret) out.push({ kind: "Secret", name: s.secret.name, optional: s.secret.optional === true, items: (s.secret.items ?? []).map((i) => i.key), path: `${path}.projected.sources[${j}].secret` });
  });
  return out;
}

/**
 * Whether the snapshot can tell "absent" from "not loaded" for this kind in this namespace: the kind
 * is loaded completely, and for ConfigMaps the namespace has at least one (every namespace holds
 * kube-root-ca.crt, so none at all means the namespace's ConfigMaps were not collected).
 */
function canCheck(index: ClusterIndex, snapshot: Snapshot, kind: ConfigKind, namespace: string): boolean {
  if (!index.has(kind) || snapshot.coverage[kind]?.status === "partial") return false;
  return kind !== "ConfigMap" || index.inNamespace(kind, namespace).length > 0;
}

/** The key-holding fields of a ConfigMap or Secret. */
type KeyHolder = { data?: Record<string, string>; binaryData?: Record<string, string>; stringData?: Record<string, string> };

function keysOf(object: KubeObject): string[] {
  const o = object as KeyHolder;
  return [...new Set([...Object.keys(o.data ?? {}), ...Object.keys(o.binaryData ?? {}), ...Object.keys(o.stringData ?? {})])].sort();
}

/** The kubelet resolves env keys from `data` only; volumes also project `binaryData`. */
function hasKey(object: KubeObject, key: string, forEnv: boolean): boolean {
  const o = object as KeyHolder;
  if (key in (o.data ?? {}) || key in (o.stringData ?? {})) return true;
  return !forEnv && key in (o.binaryData ?? {});
}

/** Whether the object (and key) exists now: a kubelet error about it is then stale and the kubelet's next retry succeeds. */
function resolvedNow(index: ClusterIndex, snapshot: Snapshot, namespace: string, m: Pick<Missing, "kind" | "name" | "key">): boolean {
  if (!canCheck(index, snapshot, m.kind, namespace)) return false;
  const object = m.kind === "ConfigMap" ? index.configMap(namespace, m.name) : index.secret(namespace, m.name);
  return Boolean(object && (!m.key || hasKey(object, m.key, false)));
}

function loadedCount(index: ClusterIndex, kind: ConfigKind, namespace: string): string {
  const n = index.inNamespace(kind, namespace).length;
  return `${n} ${kind}${n === 1 ? "" : "s"}`;
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  const best = candidates.map((c) => ({ c, d: distance(name, c) })).filter((x) => x.d > 0 && x.d <= 2).sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))[0];
  return best?.c;
}

function podFindings(index: ClusterIndex, snapshot: Snapshot, pod: Pod): Missing[] {
  const ns = pod.metadata.namespace ?? "default";
  const podRef = refOf(pod);
  const found = new Map<string, Missing>();
  const references = index.referencesOfPod(pod);
  const referenceOf = (kind: ConfigKind, name: string, key?: string): string | undefined =>
    references.find((r) => r.kind === kind && r.name === name && (key === undefined || r.key === key) && !r.optional)?.path ??
    references.find((r) => r.kind === kind && r.name === name)?.path;
  const add = (m: Missing): void => {
    const existing = found.get(missingKey(m));
    if (!existing) found.set(missingKey(m), m);
    else {
      existing.blocking ||= m.blocking;
      existing.evidence.push(...m.evidence);
      existing.kubeletMessage ??= m.kubeletMessage;
    }
  };

  // 1. The kubelet could not build a container's environment: CreateContainerConfigError.
  for (const entry of containerEntries(pod)) {
    const waiting = entry.status.state?.waiting;
    if (waiting?.reason !== "CreateContainerConfigError" || !waiting.message) continue;
    const parsed = parseKubeletMessage(waiting.message);
    if (!parsed || resolvedNow(index, snapshot, ns, parsed)) continue;
    const reference = referenceOf(parsed.kind, parsed.name, parsed.key);
    const events = podEvents(index, pod, (e) => e.reason === "Failed" && (e.message ?? "").includes(waiting.message!));
    add({
      ...parsed,
      ...(reference ? { reference } : {}),
      blocking: true,
      kubeletMessage: waiting.message,
      evidence: [
        { ref: podRef, path: `${entry.statusPath}.state.waiting.reason`, value: waiting.reason, note: `container ${entry.name}` },
        { ref: podRef, path: `${entry.statusPath}.state.waiting.message`, value: waiting.message },
        ...events.map((e) => eventEvidence(pod, e)),
      ],
    });
  }

  // 2. The kubelet could not mount a ConfigMap/Secret volume: FailedMount (the pod stays ContainerCreating).
  if (pod.status?.phase === "Pending") {
    const latest = new Map<string, Event>();
    for (const e of podEvents(index, pod, (e) => e.reason === "FailedMount")) {
      const volume = /for volume "([^"]+)"/.exec(e.message ?? "")?.[1];
      if (volume) latest.set(volume, e);
    }
    for (const [volumeName, event] of latest) {
      const message = event.message ?? "";
      let parsed = parseKubeletMessage(message);
      const i = (pod.spec.volumes ?? []).findIndex((v) => v.name === volumeName);
      const sources = i >= 0 ? volumeSources(pod.spec.volumes![i]!, `spec.volumes[${i}]`) : [];
      const keyMatch = /references non-existent (?:config|secret) key: (\S+)/.exec(message);
      if (!parsed && keyMatch) {
        const source = sources.find((s) => s.items.includes(keyMatch[1]!)) ?? sources[0];
        if (source) parsed = { kind: source.kind, name: source.name, key: keyMatch[1]! };
      }
      if (!parsed || resolvedNow(index, snapshot, ns, parsed)) continue;
      const source = sources.find((s) => s.kind === parsed!.kind && s.name === parsed!.name);
      add({
        ...parsed,
        ...(source ? { reference: source.path } : {}),
        blocking: true,
        kubeletMessage: message,
        evidence: [eventEvidence(pod, event)],
      });
    }
  }

  // 3. The spec against the snapshot: non-optional references to objects or keys that are not there.
  const blockingNow = pod.status?.phase === "Pending";
  const checkObject = (kind: ConfigKind, name: string, path: string, optional: boolean, keys: { key: string; path: string; forEnv: boolean }[]): void => {
    if (optional || (kind === "ConfigMap" && CONTROL_PLANE_CONFIGMAPS.has(name)) || !canCheck(index, snapshot, kind, ns)) return;
    const object = kind === "ConfigMap" ? index.configMap(ns, name) : index.secret(ns, name);
    if (!object) {
      add({
        kind,
        name,
        reference: path,
        blocking: blockingNow,
        evidence: [
          { ref: podRef, path, value: name, note: "not optional" },
          { ref: { kind, namespace: ns, name }, path: "metadata.name", value: name, note: `not in the snapshot (${loadedCount(index, kind, ns)} loaded in ${ns})` },
        ],
      });
      return;
    }
    for (const k of keys) {
      if (hasKey(object, k.key, k.forEnv)) continue;
      add({
        kind,
        name,
        key: k.key,
        reference: k.path.replace(/\.key$/, ""),
        blocking: blockingNow,
        evidence: [
          { ref: podRef, path: k.path, value: k.key, note: `key of ${kind} ${name}` },
          { ref: refOf(object), path: "data", value: keysOf(object), note: `no key ${k.key}${kind === "Secret" ? " (values redacted, keys kept)" : ""}` },
        ],
      });
    }
  };
  for (const r of references) {
    if (r.kind !== "ConfigMap" && r.kind !== "Secret") continue;
    if (r.path.startsWith("spec.volumes") || r.path.startsWith("spec.imagePullSecrets")) continue; // volumes below, pull secrets: pod-image-pull-failing
    checkObject(r.kind, r.name, r.path, r.optional, r.key !== undefined ? [{ key: r.key, path: `${r.path}.key`, forEnv: true }] : []);
  }
  (pod.spec.volumes ?? []).forEach((v, i) => {
    for (const s of volumeSources(v, `spec.volumes[${i}]`)) {
      checkObject(s.kind, s.name, s.path, s.optional, s.items.map((key, j) => ({ key, path: `${s.path}.items[${j}].key`, forEnv: false })));
    }
  });
  return [...found.values()];
}

export const podConfigMissing = defineAnalyzer({
  id: "pod-config-missing",
  title: "Pods reference missing ConfigMaps or Secrets",
  area: "workload",
  severity: "error",
  needs: ["Pod", "Event", "ConfigMap", "Secret", ...WORKLOAD_KINDS],
  messages: {
    configMapMissing: {
      summary: "{{workload}}: ConfigMap {{namespace}}/{{name}} does not exist, needed by {{pods}} ({{state}})",
      rootCause:
        "{{reference}} names ConfigMap {{name}} without optional: true, and namespace {{namespace}} has no ConfigMap of that name. The kubelet cannot create a container whose environment needs it (CreateContainerConfigError) or mount a volume of it (FailedMount); pods already running keep what they got until they restart.",
      remediation: "Create the ConfigMap in the pod's namespace, fix the name in the pod template, or mark the reference optional.",
    },
    secretMissing: {
      summary: "{{workload}}: Secret {{namespace}}/{{name}} does not exist, needed by {{pods}} ({{state}})",
      rootCause:
        "{{reference}} names Secret {{name}} without optional: true, and namespace {{namespace}} has no Secret of that name. The kubelet cannot create a container whose environment needs it (CreateContainerConfigError) or mount a volume of it (FailedMount); pods already running keep what they got until they restart.",
      remediation: "Create the Secret in the pod's namespace (or let its operator create it), fix the name in the pod template, or mark the reference optional.",
    },
    configMapKeyMissing: {
      summary: "{{workload}}: ConfigMap {{namespace}}/{{name}} has no key {{key}}, needed by {{pods}} ({{state}})",
      rootCause:
        "{{reference}} reads key {{key}} of ConfigMap {{name}}, and the ConfigMap has no such key ({{keys}}). The kubelet fails the container (\"couldn't find key\") or the volume (\"references non-existent config key\") of every pod that starts now.",
      remediation: "Add the key to the ConfigMap, or fix the key name in the pod template.",
    },
    secretKeyMissing: {
      summary: "{{workload}}: Secret {{namespace}}/{{name}} has no key {{key}}, needed by {{pods}} ({{state}})",
      rootCause:
        "{{reference}} reads key {{key}} of Secret {{name}}, and the Secret has no such key ({{keys}}). The kubelet fails the container (\"couldn't find key\") or the volume (\"references non-existent secret key\") of every pod that starts now.",
      remediation: "Add the key to the Secret, or fix the key name in the pod template.",
    },
  },
  run({ index, snapshot, report }) {
    const found: { pod: Pod; detail: Missing[] }[] = [];
    for (const pod of index.all<Pod>("Pod")) {
      if (isSettled(pod)) continue;
      const missing = podFindings(index, snapshot, pod);
      if (missing.length) found.push({ pod, detail: missing });
    }

    for (const group of groupByWorkload(index, found)) {
      // One finding per missing object or key of the workload, with the pods that need it.
      const byMissing = new Map<string, { missing: Missing; pods: Pod[]; evidence: Evidence[] }>();
      for (const { pod, detail } of group.members) {
        for (const m of detail) {
          const k = missingKey(m);
          const entry = byMissing.get(k);
          if (!entry) byMissing.set(k, { missing: { ...m, evidence: [] }, pods: [pod], evidence: [...m.evidence] });
          else {
            entry.pods.push(pod);
            entry.missing.blocking ||= m.blocking;
            entry.missing.kubeletMessage ??= m.kubeletMessage;
            entry.missing.reference ??= m.reference;
            if (entry.pods.length <= 3) entry.evidence.push(...m.evidence.filter((e) => e.path === "event" || e.path?.startsWith("status.")));
          }
        }
      }
      for (const { missing, pods, evidence } of [...byMissing.values()].sort((a, b) => missingKey(a.missing).localeCompare(missingKey(b.missing)))) {
        reportMissing(index, snapshot, group.subject, missing, pods, evidence, report);
      }
    }
  },
});

function reportMissing(
  index: ClusterIndex,
  snapshot: Snapshot,
  subject: ObjectRef,
  missing: Missing,
  pods: Pod[],
  evidence: Evidence[],
  report: AnalyzerContext["report"],
): void {
  const pod = pods[0]!;
  const ns = pod.metadata.namespace ?? "default";
  const { kind, name, key } = missing;
  const lower = kind.toLowerCase();
  const object = kind === "ConfigMap" ? index.configMap(ns, name) : index.secret(ns, name);
  const checkable = canCheck(index, snapshot, kind, ns);
  const keys = object ? keysOf(object) : [];
  const state = missing.blocking ? "containers cannot start" : "running pods will fail when they restart";
  if (!missing.blocking) {
    evidence.push({ ref: refOf(pod), path: "status.phase", value: pod.status?.phase ?? "Unknown", note: "started before the reference broke; a restart or reschedule will fail" });
  }
  const reference = missing.reference ?? `a ${kind} reference of the pod`;
  const data: Record<string, string | number> = {
    workload: formatRef(subject),
    pods: podCount(pods.length),
    namespace: ns,
    name,
    state,
    reference,
  };
  if (key !== undefined) {
    data.key = key;
    data.keys = object ? (keys.length ? `it holds ${keys.join(", ")}` : "it holds no keys") : "its keys are not in the snapshot; the kubelet reported the key missing";
  }
  const messageId = key !== undefined ? (kind === "ConfigMap" ? "configMapKeyMissing" : "secretKeyMissing") : kind === "ConfigMap" ? "configMapMissing" : "secretMissing";

  const investigation: InvestigationStep[] = [];
  if (missing.kubeletMessage) {
    investigation.push({ step: "Read why the kubelet cannot start the pod", command: podEventsCommand(pod), result: missing.kubeletMessage, outcome: "problem" });
  }
  investigation.push({
    step: key !== undefined ? `List the keys of ${kind} ${name}` : `Look for ${kind} ${name} in namespace ${ns}`,
    command: key !== undefined ? `kubectl get ${lower} ${name} -n ${ns} -o jsonpath='{.data}'` : `kubectl get ${lower} ${name} -n ${ns}`,
    result: !checkable
      ? `${kind}s of namespace ${ns} are not (completely) in the snapshot; run the command`
      : key !== undefined
        ? object
          ? `keys: ${keys.join(", ") || "none"}; no ${key}`
          : `Error from server (NotFound): ${lower}s "${name}" not found`
        : `Error from server (NotFound): ${lower}s "${name}" not found`,
    outcome: checkable ? "problem" : "unknown",
  });
  investigation.push({
    step: "Find where the pod template names it",
    command: `kubectl get pod ${pod.metadata.name} -n ${ns} -o yaml`,
    result: `${reference} (not optional)`,
    outcome: "problem",
  });
  if (pods.length > 1) {
    investigation.push({ step: `Check the other pods of ${formatRef(subject)}`, command: `kubectl get pods -n ${ns}`, result: `${podCount(pods.length)} affected: ${podNames(pods)}`, outcome: "problem" });
  }

  const remediation: Remediation[] = [];
  const verify = verifyCommand(subject, pods);
  const target = kubectlTarget(subject);
  const candidates = key !== undefined ? keys : index.inNamespace(kind, ns).map((o) => o.metadata.name).filter((n) => !CONTROL_PLANE_CONFIGMAPS.has(n));
  const typo = closest(key ?? name, candidates);
  if (typo) {
    const means = `The pod template probably means ${key !== undefined ? `key ${typo}` : `${kind} ${typo}`}: fix ${reference}`;
    remediation.push(
      canRollout(subject.kind)
        ? { description: means, command: `kubectl edit ${target} -n ${ns}`, verify, rollback: `kubectl rollout undo ${target} -n ${ns}` }
        : {
            // A pod's env and volumes cannot be edited in place: save, edit the file, replace.
            description: `${means} (edit the saved manifest before replacing)`,
            command: `kubectl get ${target} -n ${ns} -o yaml > ${subject.name}.yaml && kubectl replace --force -f ${subject.name}.yaml`,
            verify,
          },
    );
  }
  if (key === undefined) {
    const literal = `--from-literal=<key>=<value>`;
    remediation.push({
      description: `Create ${kind} ${name} in namespace ${ns} with the keys the pods read${missing.blocking ? "; the kubelet retries on its own" : ", before the running pods restart"}`,
      command: kind === "ConfigMap" ? `kubectl create configmap ${name} -n ${ns} ${literal}` : `kubectl create secret generic ${name} -n ${ns} ${literal}`,
      verify,
      rollback: `kubectl delete ${lower} ${name} -n ${ns}`,
    });
  } else {
    const field = kind === "ConfigMap" ? "data" : "stringData";
    remediation.push({
      description: `Add key ${key} to ${kind} ${name}${missing.blocking ? "; the kubelet retries on its own" : ", before the running pods restart"}`,
      command: `kubectl patch ${lower} ${name} -n ${ns} --type merge -p '{"${field}":{"${key}":"<value>"}}'`,
      verify,
      rollback: `kubectl patch ${lower} ${name} -n ${ns} --type json -p '[{"op":"remove","path":"/data/${key}"}]'`,
    });
  }

  report(messageId, {
    subject,
    data,
    evidence,
    investigation,
    remediation,
    affected: pods.map((p) => refOf(p)),
    ...(missing.blocking ? {} : { severity: "warning" as const }),
  });
}
