import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { nodeOomKills } from "./node-oom-kills.js";

testAnalyzer(
  nodeOomKills,
  {
    quiet: [{ name: "no OOM kill in the kernel log, kernel log not available", fixture: "quiet-no-oom.yaml" }],
    fires: [
      {
        name: "a cgroup OOM kill and a node-wide one",
        fixture: "fires-oom-kills.yaml",
        expect: [
          {
            messageId: "oomKills",
            subject: "Node/worker-1",
            severity: "warning",
            evidenceValues: [2, "Memory cgroup out of memory: Killed process 48213 (java) total-vm:4521012kB, anon-rss:1048576kB", "Out of memory: Killed process 3120 (node) total-vm:2000000kB, anon-rss:900000kB"],
          },
        ],
      },
    ],
  },
  import.meta.url,
);
