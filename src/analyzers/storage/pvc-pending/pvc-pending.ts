// Decides why a PersistentVolumeClaim stays Pending: missing StorageClass, no default class, no PV that fits, or a failing provisioner.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "../../../model/kube.js";
import { refOf, type ObjectRef } from "../../../model/ref.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import { matchesSelector } from "../../../semantics/labels.js";
import { matchesNodeSelectorTerms, podMatchesNodeAffinity } from "../../../semantics/node-affinity.js";
import { compareQuantities, parseQuantity } from "../../../semantics/quantity.js";
import { eventCount, eventTime, formatAge, parseTime } from "../../../semantics/time.js";
import { csiController } from "../csi-pods.js";

const BETA_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class";
/** Set by the scheduler on a WaitForFirstConsumer claim once its pod has a node: provisioning may start. */
const SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
/** kubernetes.io/no-provisioner: a class for statically created (local) PVs only. */
const NO_PROVISIONER = "kubernetes.io/no-provisioner";
/** A claim younger than this may simply be being provisioned. */
const PROVISIONING_GRACE_MS = 60_000;
/** After this long with only "waiting for a volume to be created" events, the provisioner looks absent. */
const PROVISIONER_SILENT_MS = 5 * 60_000;
const MAX_VOLUMES_IN_EVIDENCE = 5;

/** The claim's class as the PV controller reads it (GetPersistentVolumeClaimClass): beta annotation, then spec; undefined = unset (nil). */
function claimClass(pvc: PersistentVolumeClaim): string | undefined {
  const annotated = pvc.metadata.annotations?.[BETA_CLASS_ANNOTATION];
  if (annotated !== undefined) return annotated;
  const spec = pvc.spec?.storageClassName;
  return spec === null ? undefined : spec;
}

function volumeClass(pv: PersistentVolume): string {
  return pv.metadata.annotations?.[BETA_CLASS_ANNOTATION] ?? pv.spec?.storageClassName ?? "";
}

/** One reason a PV cannot bind the claim, with the PV field that says so. */
interface Mismatch {
  path: string;
  value: unknown;
  reason: string;
}

/**
 * Why a PV does not satisfy a claim, after the PV controller's findMatchingVolume / checkVolumeSatisfyClaim:
 * not claimed by another claim, same class, same volumeMode, all requested access modes, enough
 * capacity, labels matching the claim's selector. Empty when it fits.
 */
function volumeMismatches(pv: PersistentVolume, pvc: PersistentVolumeClaim, wantedClass: string): Mismatch[] {
  const out: Mismatch[] = [];
  if (pv.metadata.deletionTimestamp) out.push({ path: "metadata.deletionTimestamp", value: pv.metadata.deletionTimestamp, reason: "being deleted" });
  const claimRef = pv.spec?.claimRef;
  if (claimRef) {
    const sameClaim =
      claimRef.name === pvc.metadata.name &&
      (claimRef.namespace ?? "") === (pvc.metadata.namespace ?? "") &&
      (!claimRef.uid || !pvc.metadata.uid || claimRef.uid === pvc.metadata.uid);
    if (!sameClaim) {
      out.push({
        path: "spec.claimRef",
        value: `${claimRef.namespace}/${claimRef.name}`,
        reason: `${pv.status?.phase === "Released" ? "Released but still" : "already"} claimed by ${claimRef.namespace}/${claimRef.name}${claimRef.name === pvc.metadata.name ? " (an older claim of the same name)" : ""}`,
      });
    }
  }
  const cls = volumeClass(pv);
  if (cls !== wantedClass) out.push({ path: "spec.storageClassName", value: cls, reason: `storageClassName "${cls}", the claim wants "${wantedClass}"` });
  const pvMode = pv.spec?.volumeMode ?? "Filesystem";
  const claimMode = pvc.spec?.volumeMode ?? "Filesystem";
  if (pvMode !== claimMode) out.push({ path: "spec.volumeMode", value: pvMode, reason: `volumeMode ${pvMode}, the claim wants ${claimMode}` });
  const pvModes = pv.spec?.accessModes ?? [];
  const missingModes = (pvc.spec?.accessModes ?? []).filter((m) => !pvModes.includes(m));
  if (missingModes.length) out.push({ path: "spec.accessModes", value: pvModes, reason: `lacks access mode ${missingModes.join(", ")}` });
  const requested = pvc.spec?.resources?.requests?.storage;
  const capacity = pv.spec?.capacity?.storage;
  if (requested && capacity) {
    const r = parseQuantity(requested);
    const c = parseQuantity(capacity);
    if (r.ok && c.ok && compareQuantities(c.quantity, r.quantity) < 0) {
      out.push({ path: "spec.capacity.storage", value: capacity, reason: `capacity ${capacity} < requested ${requested}` });
    }
  }
  if (pvc.spec?.selector && !matchesSelector(pvc.spec.selector, pv.metadata.labels)) {
    out.push({ path: "metadata.labels", value: pv.metadata.labels ?? {}, reason: "labels do not match the claim's selector" });
  }
  return out;
}

/** The PVs that could bind this claim, or why each cannot (closest first). */
/**
 * For a WaitForFirstConsumer claim the scheduler binds only a PV whose spec.nodeAffinity admits a node
 * the consumer pod can run on (VolumeBinding plugin, FindPodVolumes): a PV pinned elsewhere (another
 * zone) is no candidate. Returns the mismatch, or undefined when the PV is reachable or unconstrained.
 */
function nodeAffinityMismatch(pv: PersistentVolume, consumers: readonly Pod[], nodes: readonly Node[]): Mismatch | undefined {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms || consumers.length === 0 || nodes.length === 0) return undefined;
  const reachable = nodes.some((node) => matchesNodeSelectorTerms(terms, node) && consumers.every((pod) => podMatchesNodeAffinity(pod, node)));
  if (reachable) return undefined;
  return {
    path: "spec.nodeAffinity.required",
    value: terms,
    reason: `node affinity admits none of the nodes pod ${consumers[0]!.metadata.name} may run on (nodeSelector/affinity)`,
  };
}

function staticCandidates(
  index: ClusterIndex,
  pvc: PersistentVolumeClaim,
  wantedClass: string,
  consumers: readonly Pod[] = [],
): { fits: PersistentVolume[]; misses: { pv: PersistentVolume; mismatches: Mismatch[] }[] } {
  const named = pvc.spec?.volumeName;
  const volumes = named
    ? [index.get<PersistentVolume>("PersistentVolume", undefined, named)].filter((v): v is PersistentVolume => v !== undefined)
    : index.all<PersistentVolume>("PersistentVolume");
  const fits: PersistentVolume[] = [];
  const misses: { pv: PersistentVolume; mismatches: Mismatch[] }[] = [];
  for (const pv of volumes) {
    const mismatches = volumeMismatches(pv, pvc, wantedClass);
    const placement = nodeAffinityMismatch(pv, consumers, index.all<Node>("Node"));
    if (placement) mismatches.push(placement);
    if (mismatches.length === 0) fits.push(pv);
    else misses.push({ pv, mismatches });
  }
  misses.sort((a, b) => a.mismatches.length - b.mismatches.length || a.pv.metadata.name.localeCompare(b.pv.metadata.name));
  return { fits, misses };
}

/** The PVs that come closest, with every reason each misses; PVs of another class only when none has the wanted class. */
function volumeEvidence(misses: readonly { pv: PersistentVolume; mismatches: Mismatch[] }[], wantedClass: string): Evidence[] {
  const sameClass = misses.filter((m) => volumeClass(m.pv) === wantedClass);
  if (sameClass.length === 0 && misses.length > 0) {
    // PVs that would fit but for their class are the likely mistake ("created as hdd"): name them.
    const onlyClass = misses.filter((m) => m.mismatches.length === 1 && m.mismatches[0]!.path === "spec.storageClassName");
    return [
      { value: 0, note: `no PersistentVolume of class "${wantedClass}" (${misses.length} of other classes)` },
      ...onlyClass.slice(0, MAX_VOLUMES_IN_EVIDENCE).map(({ pv, mismatches }) => ({
        ref: refOf(pv),
        path: mismatches[0]!.path,
        value: mismatches[0]!.value,
        note: `${mismatches[0]!.reason}; it satisfies everything else`,
      })),
    ];
  }
  return sameClass.slice(0, MAX_VOLUMES_IN_EVIDENCE).map(({ pv, mismatches }) => ({
    ref: refOf(pv),
    path: mismatches[0]!.path,
    value: mismatches[0]!.value,
    note: mismatches.map((m) => m.reason).join("; "),
  }));
}

function eventEvidence(events: readonly Event[]): Evidence[] {
  return events.map((e) => ({
    ref: { kind: "Event", namespace: e.metadata.namespace, name: e.metadata.name },
    path: "event",
    value: e.message ?? "",
    note: `${e.reason} x${eventCount(e)} from ${e.source?.component ?? e.reportingComponent ?? "unknown"}, last ${eventTime(e) ?? "unknown"}`,
  }));
}

function latest(events: readonly Event[], reason: string): Event | undefined {
  return [...events].reverse().find((e) => e.reason === reason);
}

function requestSummary(pvc: PersistentVolumeClaim): string {
  return `${pvc.spec?.resources?.requests?.storage ?? "?"} ${(pvc.spec?.accessModes ?? []).join(",") || "no access mode"} ${pvc.spec?.volumeMode ?? "Filesystem"}`;
}

export const pvcPending = defineAnalyzer({
  id: "pvc-pending",
  title: "PersistentVolumeClaim stuck Pending",
  area: "storage",
  severity: "error",
  needs: ["PersistentVolumeClaim", "PersistentVolume", "StorageClass", "Pod", "Event", "CSIDriver"],
  messages: {
    storageClassNotFound: {
      summary: "PVC {{namespace}}/{{claim}} is Pending: StorageClass {{storageClass}} does not exist",
      rootCause:
        "The claim asks for storageClassName {{storageClass}} but there is no such StorageClass ({{classes}}) and no PersistentVolume of that class fits it, so nothing can provision or bind a volume (ProvisioningFailed: storageclass.storage.k8s.io \"{{storageClass}}\" not found). Pods using the claim stay Pending.",
      remediation: "Create the StorageClass, or re-create the claim with an existing class (storageClassName is immutable).",
    },
    noStorageClass: {
      summary: "PVC {{namespace}}/{{claim}} is Pending: it names no StorageClass, the cluster has no default one, and no PersistentVolume fits",
      rootCause:
        "storageClassName is unset and no StorageClass is annotated storageclass.kubernetes.io/is-default-class=true ({{classes}}), so the claim can only bind an existing PV without class; none fits ({{request}}). The PV controller reports: no persistent volumes available for this claim and no storage class is set.",
      remediation: "Mark a StorageClass as the default (unset claims get it retroactively), or create a matching PV.",
    },
    noMatchingVolume: {
      summary: "PVC {{namespace}}/{{claim}} is Pending: no PersistentVolume satisfies it ({{request}}, class \"{{storageClass}}\")",
      rootCause:
        "The claim can only bind a pre-created PV ({{why}}), and none of the {{volumes}} PersistentVolumes satisfies it: a PV must have the same class and volumeMode, every requested access mode, at least the requested capacity, labels matching the claim's selector, and no other claim.",
      remediation: "Create a PV that satisfies the claim, or fix the claim's request (re-create it) to match an available PV.",
    },
    provisioningFailed: {
      summary: "PVC {{namespace}}/{{claim}} is Pending: provisioning with StorageClass {{storageClass}} fails ({{provisioner}})",
      rootCause: "The provisioner {{provisioner}} reports ProvisioningFailed {{count}} times, last: {{message}}",
      remediation: "Fix what the provisioner reports (parameters of the StorageClass, cloud quota or permissions, unsupported claim selector), then watch the claim bind.",
    },
    provisionerNotResponding: {
      summary: "PVC {{namespace}}/{{claim}} has been waiting {{age}} for provisioner {{provisioner}} (StorageClass {{storageClass}})",
      rootCause:
        "The PV controller handed the claim to the external provisioner {{provisioner}} (ExternalProvisioning: waiting for a volume to be created) and nothing has come back for {{age}}: no Provisioning, ProvisioningFailed or ProvisioningSucceeded event. {{controller}}.",
      remediation: "Check that the CSI driver / external-provisioner for this provisioner name runs and is healthy; check its logs.",
      severity: "warning",
    },
  },
  run({ index, now, report, snapshot }) {
    const classesLoaded = index.has("StorageClass");
    const volumesLoaded = index.has("PersistentVolume");
    const classes = index.all<StorageClass>("StorageClass");
    const classList = !classesLoaded
      ? "StorageClasses not loaded"
      : classes.length
        ? `existing: ${classes.map((c) => c.metadata.name).join(", ")}`
        : "the cluster has none";
    const defaults = index.defaultStorageClasses();

    for (const pvc of index.all<PersistentVolumeClaim>("PersistentVolumeClaim")) {
      if (pvc.status?.phase && pvc.status.phase !== "Pending") continue;
      if (pvc.metadata.deletionTimestamp) continue;
      const namespace = pvc.metadata.namespace ?? "default";
      const name = pvc.metadata.name;
      const ref = refOf(pvc);
      const created = parseTime(pvc.metadata.creationTimestamp);
      const age = created !== undefined ? now - created : undefined;
      const events = index.eventsFor(pvc);
      const owner = index.controllerOf(pvc);
      const consumers: Pod[] = [...index.podsUsingClaim(pvc)];
      if (owner?.kind === "Pod" && !consumers.includes(owner as Pod)) consumers.push(owner as Pod); // generic ephemeral volume
      const affected: ObjectRef[] = consumers.map(refOf);
      const cls = claimClass(pvc);
      const sc = cls ? index.get<StorageClass>("StorageClass", undefined, cls) : undefined;
      const data = { namespace, claim: name, storageClass: cls ?? "", classes: classList, request: requestSummary(pvc) };
      const classPath = pvc.metadata.annotations?.[BETA_CLASS_ANNOTATION] !== undefined ? `metadata.annotations["${BETA_CLASS_ANNOTATION}"]` : "spec.storageClassName";
      const describe: InvestigationStep = {
        step: "Read the claim's events",
        command: `kubectl describe pvc ${name} -n ${namespace}`,
        result: events.length ? events.slice(-3).map((e) => `${e.reason}: ${e.message ?? ""}`).join(" | ") : "no events in the snapshot",
        outcome: events.length ? "problem" : "unknown",
      };
      const saveAndRecreate = (what: string): Remediation => ({
        description: `Or re-create the claim ${what}, written to ${name}.fixed.yaml: storageClassName and the request are immutable. The delete completes only once no pod uses the claim (pvc-protection), so stop its pods first`,
        command: `kubectl get pvc ${name} -n ${namespace} -o yaml > ${name}.pvc.yaml && kubectl delete pvc ${name} -n ${namespace} && kubectl apply -f ${name}.fixed.yaml`,
        verify: `kubectl get pvc ${name} -n ${namespace}   # STATUS Bound`,
        rollback: `kubectl delete pvc ${name} -n ${namespace} && kubectl apply -f ${name}.pvc.yaml`,
      });
      const listVolumes: InvestigationStep = {
        step: "List the PersistentVolumes",
        command: "kubectl get pv -o wide",
        result: "",
        outcome: "problem",
      };

      // ---- WaitForFirstConsumer: nothing happens before a pod using the claim is scheduled. Normal.
      const delayed = sc?.volumeBindingMode === "WaitForFirstConsumer";
      const selectedNode = pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION];
      if (delayed && !selectedNode && (consumers.length === 0 || sc?.provisioner !== NO_PROVISIONER)) continue;

      // ---- the class is named but does not exist
      if (cls && !sc && classesLoaded) {
        const { fits, misses } = staticCandidates(index, pvc, cls);
        if (fits.length) continue; // a static PV of that class will be bound on the next sync
        const failed = events.filter((e) => e.reason === "ProvisioningFailed").slice(-2);
        const suggestion = defaults[0]?.metadata.name ?? (classes.length === 1 ? classes[0]!.metadata.name : undefined);
        report("storageClassNotFound", {
          subject: ref,
          data,
          evidence: [
            { ref, path: classPath, value: cls, note: "no StorageClass of this name" },
            { value: classes.map((c) => c.metadata.name), note: `kubectl get storageclass: ${classList}` },
            ...eventEvidence(failed),
            ...volumeEvidence(misses, cls),
          ],
          affected,
          investigation: [
            describe,
            { step: "List the StorageClasses", command: "kubectl get storageclass", result: classList, outcome: "problem" },
          ],
          remediation: [
            {
              description: suggestion
                ? `Create StorageClass ${cls} (here copied from ${suggestion}; adjust provisioner and parameters); the PV controller retries the claim by itself`
                : `Create StorageClass ${cls} with the provisioner the claim is meant for; the PV controller retries the claim by itself`,
              command: suggestion
                ? `kubectl get storageclass ${suggestion} -o json | jq '.metadata = {name: "${cls}"}' | kubectl apply -f -`
                : `kubectl apply -f storageclass-${cls}.yaml`,
              verify: `kubectl get pvc ${name} -n ${namespace} -w   # STATUS Bound`,
              rollback: `kubectl delete storageclass ${cls}`,
            },
            saveAndRecreate(suggestion ? `with storageClassName ${suggestion}` : "with an existing storageClassName"),
          ],
        });
        continue;
      }

      // ---- no class: only class-less PVs can bind, unless a default class exists (assigned retroactively)
      if (cls === undefined) {
        if (defaults.length) continue; // the default class is being assigned to the claim
        const failedBinding = latest(events, "FailedBinding");
        if (!classesLoaded && !failedBinding) continue; // cannot tell whether a default exists
        if (!volumesLoaded && !failedBinding) continue;
        const { fits, misses } = staticCandidates(index, pvc, "");
        if (fits.length) continue;
        report("noStorageClass", {
          subject: ref,
          data,
          evidence: [
            { ref, path: "spec.storageClassName", value: null, note: "unset" },
            ...(classesLoaded ? [{ value: classes.map((c) => c.metadata.name), note: `kubectl get storageclass: ${classList}; none is the default` }] : []),
            ...eventEvidence(failedBinding ? [failedBinding] : []),
            ...volumeEvidence(misses, ""),
          ],
          affected,
          investigation: [
            describe,
            { step: "Look for a default StorageClass", command: "kubectl get storageclass", result: `${classList}; no (default)`, outcome: "problem" },
            { ...listVolumes, result: `${misses.length} PVs, none fits ${requestSummary(pvc)} without class` },
          ],
          remediation: [
            classes.length
              ? {
                  description: `Make ${classes[0]!.metadata.name} the default StorageClass; unset claims get it assigned retroactively (Kubernetes 1.28+)`,
                  command: `kubectl annotate storageclass ${classes[0]!.metadata.name} storageclass.kubernetes.io/is-default-class=true`,
                  verify: `kubectl get pvc ${name} -n ${namespace} -w   # storageClassName set, then Bound`,
                  rollback: `kubectl annotate storageclass ${classes[0]!.metadata.name} storageclass.kubernetes.io/is-default-class-`,
                }
              : {
                  description: "Install a storage provisioner and its StorageClass as the default, or create a PV without class that satisfies the claim",
                  command: `kubectl apply -f pv.yaml   # capacity >= ${pvc.spec?.resources?.requests?.storage ?? "?"}, accessModes ${(pvc.spec?.accessModes ?? []).join(",")}, no storageClassName`,
                  verify: `kubectl get pvc ${name} -n ${namespace}   # STATUS Bound`,
                  rollback: "kubectl delete -f pv.yaml",
                },
          ],
        });
        continue;
      }

      // ---- static binding only: class "" or a no-provisioner class (local volumes)
      const staticOnly = cls === "" || sc?.provisioner === NO_PROVISIONER || Boolean(pvc.spec?.volumeName);
      if (staticOnly) {
        // For an Immediate no-provisioner class the real PV controller records ProvisioningFailed
        // "no volume plugin matched name: kubernetes.io/no-provisioner" (seen on v1.36), not FailedBinding.
        const failedBinding =
          latest(events, "FailedBinding") ??
          latest(events, "VolumeMismatch") ??
          (sc?.provisioner === NO_PROVISIONER ? latest(events, "ProvisioningFailed") : undefined);
        if (!volumesLoaded && !failedBinding) continue;
        if (age !== undefined && age < PROVISIONING_GRACE_MS && !failedBinding) continue;
        const { fits, misses } = staticCandidates(index, pvc, cls, delayed ? consumers : []);
        if (fits.length) continue;
        const why = pvc.spec?.volumeName
          ? `it is pre-bound to PV ${pvc.spec.volumeName}${index.get("PersistentVolume", undefined, pvc.spec.volumeName) ? "" : ", which does not exist"}`
          : cls === ""
            ? 'storageClassName "" disables dynamic provisioning'
            : `StorageClass ${cls} has provisioner ${NO_PROVISIONER}`;
        report("noMatchingVolume", {
          subject: ref,
          data: { ...data, why, volumes: misses.length },
          evidence: [
            { ref, path: pvc.spec?.volumeName ? "spec.volumeName" : classPath, value: pvc.spec?.volumeName ?? cls, note: why },
            { ref, path: "spec.resources.requests.storage", value: pvc.spec?.resources?.requests?.storage ?? null, note: requestSummary(pvc) },
            ...eventEvidence(failedBinding ? [failedBinding] : []),
            ...volumeEvidence(misses, cls),
          ],
          affected,
          investigation: [describe, { ...listVolumes, result: misses.slice(0, 3).map((m) => `${m.pv.metadata.name}: ${m.mismatches.map((x) => x.reason).join("; ")}`).join(" | ") || "no PersistentVolume at all" }],
          remediation: [
            {
              description: `Create a PV that satisfies the claim: storageClassName "${cls}", capacity >= ${pvc.spec?.resources?.requests?.storage ?? "?"}, accessModes ${(pvc.spec?.accessModes ?? []).join(",")}, volumeMode ${pvc.spec?.volumeMode ?? "Filesystem"}${pvc.spec?.selector ? ", labels matching the claim's selector" : ""}`,
              command: "kubectl apply -f pv.yaml",
              verify: `kubectl get pvc ${name} -n ${namespace}   # STATUS Bound`,
              rollback: "kubectl delete -f pv.yaml   # only while no claim is bound to it",
            },
            saveAndRecreate("so that it matches an available PV"),
          ],
        });
        continue;
      }

      // ---- dynamic provisioning through an existing class
      if (!sc) continue; // classes not loaded: nothing more to say
      const failed = events.filter((e) => e.reason === "ProvisioningFailed");
      const lastFailed = failed[failed.length - 1];
      if (lastFailed) {
        const count = failed.reduce((n, e) => n + eventCount(e), 0);
        report("provisioningFailed", {
          subject: ref,
          data: { ...data, provisioner: sc.provisioner, count, message: lastFailed.message ?? "" },
          evidence: [
            { ref, path: classPath, value: cls },
            { ref: refOf(sc), path: "provisioner", value: sc.provisioner },
            ...eventEvidence(failed.slice(-2)),
          ],
          affected,
          investigation: [
            describe,
            { step: "Read the StorageClass", command: `kubectl get storageclass ${cls} -o yaml`, result: `provisioner ${sc.provisioner}${sc.parameters ? `, parameters ${JSON.stringify(sc.parameters)}` : ""}`, outcome: "ok" },
            {
              step: "Read the provisioner's logs",
              command: `kubectl get pods -A -o wide | grep -i -- '${sc.provisioner.split(".")[0]}'   # then kubectl logs <pod> -c csi-provisioner -n <namespace>`,
              result: "not run: logs of the provisioner were not collected",
              outcome: "unknown",
            },
          ],
          remediation: [
            {
              description: `Fix what ${sc.provisioner} reports: ${lastFailed.message ?? "see the event"}`,
              command: `kubectl describe pvc ${name} -n ${namespace}`,
              verify: `kubectl get pvc ${name} -n ${namespace} -w   # ProvisioningSucceeded, then Bound`,
            },
          ],
        });
        continue;
      }
      const waiting = latest(events, "ExternalProvisioning");
      const started = events.some((e) => e.reason === "Provisioning" || e.reason === "ProvisioningSucceeded");
      if (waiting && !started && age !== undefined && age >= PROVISIONER_SILENT_MS) {
        const controller = csiController(index, snapshot, sc.provisioner);
        const driverStep: InvestigationStep = index.has("CSIDriver")
          ? {
              step: "Check that the CSI driver is registered",
              command: `kubectl get csidriver ${sc.provisioner}`,
              result: index.get("CSIDriver", undefined, sc.provisioner) ? "the CSIDriver object exists" : `Error from server (NotFound): csidrivers.storage.k8s.io "${sc.provisioner}" not found`,
              outcome: index.get("CSIDriver", undefined, sc.provisioner) ? "ok" : "problem",
            }
          : { step: "Check that the CSI driver is registered", command: `kubectl get csidriver ${sc.provisioner}`, result: "CSIDriver objects are not in the snapshot", outcome: "unknown" };
        report("provisionerNotResponding", {
          subject: ref,
          data: { ...data, provisioner: sc.provisioner, age: formatAge(age), controller: controller.sentence },
          evidence: [
            { ref, path: "metadata.creationTimestamp", value: pvc.metadata.creationTimestamp, note: `${formatAge(age)} ago` },
            { ref: refOf(sc), path: "provisioner", value: sc.provisioner },
            ...eventEvidence([waiting]),
            ...controller.evidence,
          ],
          affected,
          investigation: [describe, driverStep, controller.step],
          remediation: [
            {
              description: `Get the external provisioner for ${sc.provisioner} running (install or restart the CSI driver's controller)`,
              command: `kubectl get pods -A -o wide | grep -i -- '${sc.provisioner.split(".")[0]}'`,
              verify: `kubectl get pvc ${name} -n ${namespace} -w   # Provisioning, then Bound`,
            },
          ],
        });
      }
    }
  },
});
