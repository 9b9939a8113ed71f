// The explicit, sorted list of analyzers. test/registry.test.ts checks it against the folders.
import type { Analyzer } from "./define.js";
import { helmReleaseUnhealthy } from "./release/helm-release-unhealthy/helm-release-unhealthy.js";
import { apiserverOverloaded } from "./control-plane/apiserver-overloaded/apiserver-overloaded.js";
import { apiserverUnhealthy } from "./control-plane/apiserver-unhealthy/apiserver-unhealthy.js";
import { apiserviceUnavailable } from "./control-plane/apiservice-unavailable/apiservice-unavailable.js";
import { componentLeaseStale } from "./control-plane/component-lease-stale/component-lease-stale.js";
import { webhookBackendUnavailable } from "./control-plane/webhook-backend-unavailable/webhook-backend-unavailable.js";
import { ingressBackendMissing } from "./ingress/ingress-backend-missing/ingress-backend-missing.js";
import { podConnectionFailing } from "./network/pod-connection-failing/pod-connection-failing.js";
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
import { bindingRoleMissing } from "./access/binding-role-missing/binding-role-missing.js";
import { bindingServiceAccountMissing } from "./access/binding-service-account-missing/binding-service-account-missing.js";
import { podServiceAccountMissing } from "./access/pod-service-account-missing/pod-service-account-missing.js";
import { rbacGrantDangerous } from "./access/rbac-grant-dangerous/rbac-grant-dangerous.js";
import { podApiForbidden } from "./access/pod-api-forbidden/pod-api-forbidden.js";
import { intermittentConnectivity } from "./network/intermittent-connectivity/intermittent-connectivity.js";
import { egressPolicyBlocksDns } from "./network/egress-policy-blocks-dns/egress-policy-blocks-dns.js";
import { networkPolicySelectorUnmatched } from "./network/network-policy-selector-unmatched/network-policy-selector-unmatched.js";
import { serviceUrlNoEndpoints } from "./network/service-url-no-endpoints/service-url-no-endpoints.js";
import { clusterDnsUnhealthy } from "./network/cluster-dns-unhealthy/cluster-dns-unhealthy.js";
import { cniDaemonsetDegraded } from "./network/cni-daemonset-degraded/cni-daemonset-degraded.js";
import { controlPlanePodUnhealthy } from "./control-plane/control-plane-pod-unhealthy/control-plane-pod-unhealthy.js";
import { statefulsetStuck } from "./workload/statefulset-stuck/statefulset-stuck.js";
import { ingressControllerNotRunning } from "./ingress/ingress-controller-not-running/ingress-controller-not-running.js";
import { ingressTlsInvalid } from "./ingress/ingress-tls-invalid/ingress-tls-invalid.js";
import { ingressPathConflict } from "./ingress/ingress-path-conflict/ingress-path-conflict.js";
import { gatewayRouteNotAccepted } from "./ingress/gateway-route-not-accepted/gateway-route-not-accepted.js";
import { nodeServiceDown } from "./node/node-service-down/node-service-down.js";
import { nodeDiskNearlyFull } from "./node/node-disk-nearly-full/node-disk-nearly-full.js";
import { nodeOomKills } from "./node/node-oom-kills/node-oom-kills.js";
import { nodeConntrackExhausted } from "./node/node-conntrack-exhausted/node-conntrack-exhausted.js";
import { nodeForwardingDisabled } from "./node/node-forwarding-disabled/node-forwarding-disabled.js";
import { nodeCertificateExpiring } from "./control-plane/node-certificate-expiring/node-certificate-expiring.js";
import { staticPodManifestInvalid } from "./control-plane/static-pod-manifest-invalid/static-pod-manifest-invalid.js";
import { pvReleasedRetained } from "./storage/pv-released-retained/pv-released-retained.js";
import { volumeAttachFailing } from "./storage/volume-attach-failing/volume-attach-failing.js";
import { volumeNearlyFull } from "./storage/volume-nearly-full/volume-nearly-full.js";
import { etcdUnhealthy } from "./control-plane/etcd-unhealthy/etcd-unhealthy.js";
import { apiserverCertificateInvalid } from "./control-plane/apiserver-certificate-invalid/apiserver-certificate-invalid.js";

export const ANALYZERS: readonly Analyzer[] = [
  volumeNearlyFull,
  podApiForbidden,
  rbacGrantDangerous,
  podServiceAccountMissing,
  bindingServiceAccountMissing,
  bindingRoleMissing,
  intermittentConnectivity,
  cniDaemonsetDegraded,
  clusterDnsUnhealthy,
  serviceUrlNoEndpoints,
  networkPolicySelectorUnmatched,
  egressPolicyBlocksDns,
  helmReleaseUnhealthy,
  controlPlanePodUnhealthy,
  apiserverOverloaded,
  apiserverUnhealthy,
  apiserverCertificateInvalid,
  etcdUnhealthy,
  apiserviceUnavailable,
  componentLeaseStale,
  webhookBackendUnavailable,
  gatewayRouteNotAccepted,
  ingressPathConflict,
  ingressTlsInvalid,
  ingressControllerNotRunning,
  statefulsetStuck,
  staticPodManifestInvalid,
  nodeCertificateExpiring,
  nodeForwardingDisabled,
  nodeConntrackExhausted,
  nodeOomKills,
  nodeDiskNearlyFull,
  nodeServiceDown,
  volumeAttachFailing,
  pvReleasedRetained,
  ingressBackendMissing,
  nodeNotReady,
  nodePressure,
  serviceEndpointsNotReady,
  serviceSelectsNoPods,
  serviceTargetPortMismatch,
  podConfigMissing,
  podConnectionFailing,
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
