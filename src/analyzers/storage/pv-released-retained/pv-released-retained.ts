// Decides which PersistentVolumes with reclaimPolicy Retain are Released or Failed: data kept, the PV unusable until its claimRef is cleared; an error when a claim waits for it.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, Remediation } from "../../../model/finding.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";

/**
 * A Pending claim that waits for this PV: it names the PV in spec.volumeName, or it has the name the
 * PV's claimRef points to (a claim deleted and created again, e.g. a StatefulSet's; the PV controller
 * keeps the old uid in claimRef, so the new claim does not bind it).
 */
function waitingClaim(claims: readonly PersistentVolumeClaim[], pv: PersistentVolume): PersistentVolumeClaim | undefined {
  const ref = pv.spec?.claimRef;
  return claims.find(
    (c) =>
      c.status?.phase === "Pending" &&
      (c.spec?.volumeName === pv.metadata.name || (ref?.name === c.metadata.name && ref.namespace === c.metadata.namespace && ref.uid !== c.metadata.uid)),
  );
}

export const pvReleasedRetained = defineAnalyzer({
  id: "pv-released-retained",
  title: "Retained volume released or failed",
  area: "storage",
  severity: "info",
  needs: ["PersistentVolume", "PersistentVolumeClaim"],
  messages: {
    released: {
      summary: "PersistentVolume {{pv}} is Released: its claim {{claim}} is gone, the data is kept (reclaimPolicy Retain)",
      rootCause:
        "Claim {{claim}} was deleted. With reclaimPolicy Retain the PV controller neither deletes nor scrubs the volume: it stays Released with claimRef still naming the old claim (uid {{uid}}), so no claim can bind it until an administrator clears the claimRef.",
      remediation: "Keep it (the data is there), delete it when the data is not needed, or make it reusable by removing spec.claimRef.",
    },
    failed: {
      summary: "PersistentVolume {{pv}} is Failed (reclaimPolicy Retain): {{message}}",
      rootCause: "The PV controller marked the volume Failed (\"{{message}}\"). Its data is retained; the PV binds no claim in this phase.",
      remediation: "Read the PV's status message, fix the backing storage, then clear spec.claimRef or delete the PV.",
      severity: "warning",
    },
    claimWaiting: {
      summary: "PVC {{waiting}} waits for PersistentVolume {{pv}}, which is {{phase}} and still bound to the deleted claim (uid {{uid}})",
      rootCause:
        "PV {{pv}} has reclaimPolicy Retain and is {{phase}}: its claimRef still carries the uid of the deleted claim {{claim}}, so the PV controller does not bind the new claim {{waiting}} to it (it is claimed by another object), and the claim stays Pending.",
      remediation: "Remove claimRef.uid and claimRef.resourceVersion from the PV so that it is pre-bound to the claim by name; the PV controller then binds it.",
      severity: "error",
    },
  },
  run({ index, report }) {
    const claims = index.all<PersistentVolumeClaim>("PersistentVolumeClaim");
    for (const pv of index.all<PersistentVolume>("PersistentVolume")) {
      const phase = pv.status?.phase;
      if (phase !== "Released" && phase !== "Failed") continue;
      if ((pv.spec?.persistentVolumeReclaimPolicy ?? "") !== "Retain") continue;
      const ref = refOf(pv);
      const claimRef = pv.spec?.claimRef;
      const claim = claimRef?.name ? `${claimRef.namespace ?? "default"}/${claimRef.name}` : "(none)";
      const uid = claimRef?.uid ?? "none";
      const evidence: Evidence[] = [
        { ref, path: "status.phase", value: phase, ...(pv.status?.message ? { note: pv.status.message } : {}) },
        { ref, path: "spec.persistentVolumeReclaimPolicy", value: "Retain", note: "the volume and its data are kept" },
        { ref, path: "spec.claimRef", value: claimRef ?? null, note: "the claim it was bound to" },
      ];
      const waiting = index.has("PersistentVolumeClaim") ? waitingClaim(claims, pv) : undefined;
      const data = { pv: pv.metadata.name, claim, uid, phase, message: pv.status?.message ?? "no message" };
      const backup = `kubectl get pv ${pv.metadata.name} -o yaml > ${pv.metadata.name}.backup.yaml`;
      if (waiting) {
        const waitingName = `${waiting.metadata.namespace}/${waiting.metadata.name}`;
        evidence.push({
          ref: refOf(waiting),
          path: waiting.spec?.volumeName === pv.metadata.name ? "spec.volumeName" : "metadata.uid",
          value: waiting.spec?.volumeName === pv.metadata.name ? pv.metadata.name : (waiting.metadata.uid ?? null),
          note: waiting.spec?.volumeName === pv.metadata.name ? "the claim asks for this PV" : `same name as the PV's claimRef, another uid than ${uid}`,
        });
        report("claimWaiting", {
          subject: refOf(waiting),
          data: { ...data, waiting: waitingName },
          evidence,
          affected: [ref],
          investigation: [
            { step: `Read PV ${pv.metadata.name}'s phase and claimRef`, command: `kubectl get pv ${pv.metadata.name} -o jsonpath='{.status.phase} {.spec.claimRef}'`, result: `${phase}, claimRef ${claim} uid ${uid}`, outcome: "problem" },
            { step: `Compare with claim ${waitingName}`, command: `kubectl get pvc ${waiting.metadata.name} -n ${waiting.metadata.namespace} -o jsonpath='{.metadata.uid} {.status.phase}'`, result: `${waiting.metadata.uid ?? "?"} Pending`, outcome: "problem" },
          ],
          remediation: [
            {
              description: `Keep a copy of the PV, then drop the old claim's uid so that PV ${pv.metadata.name} is pre-bound to ${waitingName} by name (the data of ${claim} stays on it)`,
              command: `${backup} && kubectl patch pv ${pv.metadata.name} --type=json -p '[{"op":"remove","path":"/spec/claimRef/uid"},{"op":"remove","path":"/spec/claimRef/resourceVersion"}]'`,
              verify: `kubectl get pvc ${waiting.metadata.name} -n ${waiting.metadata.namespace} -w   # Bound to ${pv.metadata.name}`,
            },
          ],
        });
        continue;
      }
      const reuse: Remediation = {
        description: `If the data of ${claim} is no longer needed elsewhere, make PV ${pv.metadata.name} Available again by removing its claimRef (any matching claim may then bind it and see the old data; scrub it first if that matters)`,
        command: `${backup} && kubectl patch pv ${pv.metadata.name} --type=json -p '[{"op":"remove","path":"/spec/claimRef"}]'`,
        verify: `kubectl get pv ${pv.metadata.name}   # STATUS Available`,
        rollback: `kubectl replace -f ${pv.metadata.name}.backup.yaml`,
      };
      report(phase === "Released" ? "released" : "failed", {
        subject: ref,
        data,
        evidence,
        investigation: [
          { step: `Read PV ${pv.metadata.name}'s phase and claimRef`, command: `kubectl get pv ${pv.metadata.name} -o jsonpath='{.status.phase} {.spec.claimRef}'`, result: `${phase}, claimRef ${claim}`, outcome: phase === "Failed" ? "problem" : "ok" },
        ],
        remediation: [reuse, { description: `Or delete the PV when its data is not needed (with Retain, the backing volume itself stays and must be deleted at the storage provider)`, command: `kubectl delete pv ${pv.metadata.name}` }],
      });
    }
  },
});
