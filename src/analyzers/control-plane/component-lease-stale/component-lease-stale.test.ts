import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { componentLeaseStale } from "./component-lease-stale.js";

const NOW = "2024-05-14T10:00:00Z";

testAnalyzer(
  componentLeaseStale,
  {
    quiet: [{ name: "renewed within the lease duration", fixture: "quiet-renewing.yaml", now: NOW }],
    fires: [
      {
        // renewTime 09:58:00, now 10:00:00: 120 s > 15 s. Two default-scheduler pods never tried; volcano's pod not counted.
        name: "scheduler stopped, pods never scheduled",
        fixture: "fires-scheduler-down.yaml",
        now: NOW,
        expect: [
          {
            messageId: "schedulerDown",
            subject: "Lease/kube-system/kube-scheduler",
            evidenceValues: ["2024-05-14T09:58:00.000000Z", 15, "cp-1_5c8e2f"],
            affects: ["Pod/shop/web-7d4-abcde", "Pod/shop/web-7d4-fghij"],
          },
        ],
      },
      {
        // holderIdentity "" (client-go's release on shutdown): no leader even though renewTime is recent.
        name: "controller manager released its lease, a Deployment's generation not observed",
        fixture: "fires-controller-manager-released.yaml",
        now: NOW,
        expect: [{ messageId: "controllerManagerDown", subject: "Lease/kube-system/kube-controller-manager", evidenceValues: ["", 3], affects: ["Deployment/shop/api"] }],
      },
      {
        name: "cloud-controller-manager stale",
        yaml: 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: { name: cloud-controller-manager, namespace: kube-system }\nspec: { holderIdentity: "cp-2", leaseDurationSeconds: 15, renewTime: "2024-05-14T09:00:00Z" }\n',
        now: NOW,
        expect: [{ messageId: "leaseStale", subject: "Lease/kube-system/cloud-controller-manager", evidenceValues: ["2024-05-14T09:00:00Z"] }],
      },
    ],
  },
  import.meta.url,
);
