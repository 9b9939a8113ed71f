// kubesleuth's library API: explicit named exports only.
export type {
  KubeObject,
  ObjectMeta,
  Pod,
  Node,
  Service,
  Endpoints,
  EndpointSlice,
  Ingress,
  IngressClass,
  NetworkPolicy,
  PersistentVolume,
  PersistentVolumeClaim,
  StorageClass,
  Deployment,
  ReplicaSet,
  StatefulSet,
  DaemonSet,
  Job,
  ConfigMap,
  Secret,
  ServiceAccount,
  Event,
  LabelSelector,
} from "./model/kube.js";
export type { ObjectRef } from "./model/ref.js";
export { refOf, refKey, formatRef } from "./model/ref.js";
export { KINDS, findKind } from "./model/kinds.js";
export type { KindInfo } from "./model/kinds.js";
export type { Snapshot, CoverageEntry, CoverageStatus, PodLog, SkippedInput } from "./model/snapshot.js";
export type {
  Finding,
  Report,
  Severity,
  Area,
  Evidence,
  Impact,
  InvestigationStep,
  Remediation,
  RelatedFinding,
} from "./model/finding.js";
export { SEVERITIES, AREAS } from "./model/finding.js";

export { defineAnalyzer } from "./analyzers/define.js";
export type { Analyzer, AnalyzerContext, AnalyzerMessage, FindingDraft } from "./analyzers/define.js";
export { ANALYZERS, findAnalyzer } from "./analyzers/registry.js";

export { buildIndex } from "./indexes/build-index.js";
export type { ClusterIndex } from "./indexes/types.js";
export { computeImpact } from "./impact/compute-impact.js";

export { runAnalyzers } from "./run/run-analyzers.js";
export type { RunOptions, RunResult, Suppression } from "./run/run-analyzers.js";
export { diagnose } from "./run/diagnose.js";
export type { Diagnosis } from "./run/diagnose.js";

export { loadSnapshot } from "./sources/snapshot/load-snapshot.js";
export { loadLive } from "./sources/live/load-live.js";
export type { LiveOptions } from "./sources/live/load-live.js";
export { writeArchive } from "./sources/archive/write-archive.js";
export { SourceError } from "./sources/errors.js";
export { REDACTED } from "./sources/redact.js";

export { matchesSelector, matchesServiceSelector } from "./semantics/labels.js";
export { compileSelector } from "./semantics/selector-string.js";
export { parseQuantity, compareQuantities, formatQuantity } from "./semantics/quantity.js";
export { parseImageReference } from "./semantics/image-reference.js";

// Engines: exact simulators (pure).
export { evaluateConnection, buildConnectivityMatrix } from "./engines/network-policy/index.js";
export type { ConnectionVerdict, Endpoint } from "./engines/network-policy/index.js";
export { buildRbacIndex, authorize, explainDenial, minimalGrant } from "./engines/rbac/index.js";
export type { RbacIndex } from "./engines/rbac/index.js";
export { simulateScheduling, formatFitError } from "./engines/scheduler/index.js";
export type { NodeVerdict } from "./engines/scheduler/index.js";
export { TcpAnalyzer, TCP_A } from "./engines/pcap/tcp-analysis.js";
export type { TcpFrameAnalysis } from "./engines/pcap/tcp-analysis.js";
export type { DecodedPacket } from "./model/packet.js";
export { readCaptureFile } from "./sources/pcap/read.js";
export { CaptureAnalysis, buildPcapReport } from "./run/pcap.js";
export type { CaptureSummary, PcapReport } from "./run/pcap.js";
export { diagnoseConnectivity, clusterDnsHealth, cniHealth } from "./engines/connectivity/index.js";
export type { ConnectivityDiagnosis, ConnectivityHop } from "./engines/connectivity/index.js";

export { parseConfig } from "./config/config.js";
export { RENDERERS, OUTPUT_FORMATS } from "./renderers/index.js";
export { execute } from "./cli/execute.js";
export { TOOL_VERSION } from "./version.js";

export { testAnalyzer, runAnalyzer } from "./testing/analyzer-tester.js";
export { snapshotFromYaml, loadFixture } from "./testing/load-fixture.js";
