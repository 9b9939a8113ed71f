import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { pvReleasedRetained } from "./pv-released-retained.js";

testAnalyzer(
  pvReleasedRetained,
  {
    quiet: [{ name: "Bound and Available retained PVs; a Released PV with reclaimPolicy Delete", fixture: "quiet-bound-available.yaml" }],
    fires: [
      {
        // Expectations from the fixture's comments (the Retain semantics of the persistent volume docs).
        name: "released with nobody waiting (info), a recreated claim and a volumeName claim waiting (error), a failed PV (warning)",
        fixture: "fires-released-and-waiting.yaml",
        expect: [
          { messageId: "released", subject: "PersistentVolume/archive-old", severity: "info", evidenceValues: ["Released", "Retain"] },
          { messageId: "claimWaiting", subject: "PersistentVolumeClaim/db/data-db-0", severity: "error", evidenceValues: ["2222-new-uid"], affects: ["PersistentVolume/pvc-7f3a"] },
          { messageId: "claimWaiting", subject: "PersistentVolumeClaim/ops/restore", severity: "error", evidenceValues: ["pinned"] },
          { messageId: "failed", subject: "PersistentVolume/broken", severity: "warning", evidenceValues: ["Failed"] },
        ],
      },
    ],
  },
  import.meta.url,
);
