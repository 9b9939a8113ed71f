// The explicit, sorted list of analyzers. test/registry.test.ts checks it against the folders.
import type { Analyzer } from "./define.js";
import { ingressBackendMissing } from "./ingress/ingress-backend-missing/ingress-backend-missing.js";
import { serviceEndpointsNotReady } from "./network/service-endpoints-not-ready/service-endpoints-not-ready.js";
import { serviceSelectsNoPods } from "./network/service-selects-no-pods/service-selects-no-pods.js";
import { serviceTargetPortMismatch } from "./network/service-target-port-mismatch/service-target-port-mismatch.js";
import { nodeNotReady } from "./node/node-not-ready/node-not-ready.js";
import { nodePressure } from "./node/node-pressure/node-pressure.js";
import { pvcPending } from "./storage/pvc-pending/pvc-pending.js";
import { podConfigMissing } from "./workload/pod-config-missing/pod-config-missing.js";
import { podCrashLooping } from "./workload/pod-crash-looping/pod-crash-looping.js";
import { podImagePullFailing } from "./workload/pod-image-pull-failing/pod-image-pull-failing.js";
import { podNotReady } from "./workload/pod-not-ready/pod-not-ready.js";
import { podUnschedulable } from "./scheduling/pod-unschedulable/pod-unschedulable.js";
import { workloadRolloutStuck } from "./workload/workload-rollout-stuck/workload-rollout-stuck.js";
import { pvReleasedRetained } from "./storage/pv-released-retained/pv-released-retained.js";
import { volumeAttachFailing } from "./storage/volume-attach-failing/volume-attach-failing.js";

export const ANALYZERS: readonly Analyzer[] = [
  volumeAttachFailing,
  pvReleasedRetained,
  ingressBackendMissing,
  nodeNotReady,
  nodePressure,
  serviceEndpointsNotReady,
  serviceSelectsNoPods,
  serviceTargetPortMismatch,
  podConfigMissing,
  podCrashLooping,
  podImagePullFailing,
  podNotReady,
  podUnschedulable,
  workloadRolloutStuck,
  pvcPending,
].sort((a, b) => a.id.localeCompare(b.id));

export function findAnalyzer(id: string): Analyzer | undefined {
  return ANALYZERS.find((a) => a.id === id);
}
