import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { intermittentConnectivity } from "./intermittent-connectivity.js";

testAnalyzer(
  intermittentConnectivity,
  {
    quiet: [
      {
        name: "steady cluster over two captures: one pod became Ready once, one replaced by a rollout",
        fixture: "quiet-steady-over-time.yaml",
        now: "2024-05-01T09:40:00Z",
        history: [{ fixture: "history-quiet-1.yaml", capturedAt: "2024-05-01T09:00:00Z" }],
      },
      { name: "a single capture: nothing over time to compare", fixture: "quiet-single-snapshot.yaml", now: "2024-05-01T09:40:00Z" },
    ],
    fires: [
      {
        name: "endpoints flapping and restarting across three captures, calico-node restarting on their node",
        fixture: "fires-flapping-endpoints.yaml",
        now: "2024-05-01T09:40:00Z",
        history: [
          { fixture: "history-1.yaml", capturedAt: "2024-05-01T09:00:00Z" },
          { fixture: "history-2.yaml", capturedAt: "2024-05-01T09:20:00Z" },
        ],
        // Counts from the fixture's comment: 4 readiness changes, 4 restarts; calico-node-a 3 restarts.
        expect: [
          {
            messageId: "flappingEndpoints",
            subject: "Service/shop/api",
            evidenceValues: [
              "Ready True -> True (changed and back), last change 2024-05-01T09:35:00.000Z; container main restarts 1 -> 3",
              "+3 restarts",
              "node node-a Ready True -> True (changed and back)",
              'Readiness probe failed: Get "http://10.0.0.5:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
            ],
            affects: ["Pod/shop/api-1", "Pod/shop/api-2"],
          },
          { messageId: "networkPlaneRestarts", subject: "Pod/kube-system/calico-node-a" },
        ],
      },
    ],
  },
  import.meta.url,
);
