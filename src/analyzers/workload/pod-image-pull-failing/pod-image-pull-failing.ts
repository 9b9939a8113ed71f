// Decides which workloads cannot pull an image and why, from the kubelet's pull errors: missing image, denied access (and which pull secret is missing or mistyped), unreachable registry, TLS, rate limit, invalid reference.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Event, Pod, Secret, ServiceAccount } from "../../../model/kube.js";
import { formatRef, refOf, type ObjectRef } from "../../../model/ref.js";
import { matchingRegistryKeys, repositoryToPull } from "../../../semantics/registry-credentials.js";
import type { ClusterIndex } from "../../../indexes/types.js";
import {
  WORKLOAD_KINDS,
  canRollout,
  containerEntries,
  describePodCommand,
  eventEvidence,
  groupByWorkload,
  isAboutContainer,
  isSettled,
  kubectlTarget,
  podCount,
  podEvents,
  podEventsCommand,
  podNames,
  registryHost,
  verifyCommand,
  type ContainerEntry,
} from "../workload-pods.js";
import { revisionChange, type RevisionChange } from "./revision-change.js";
import { classifyPullError, type PullClass } from "./pull-error-class.js";

/** Waiting reasons the kubelet sets when it cannot get a container's image (pkg/kubelet/images/types.go, cri-api errors). */
const PULL_REASONS = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable", "SignatureValidationFailed"]);

/** Shown for a Secret value: kubesleuth never holds it. */
const REDACTED_VALUE = "<redacted>";

/** The only Secret types the kubelet reads registry credentials from (pkg/credentialprovider/secrets). */
const PULL_SECRET_TYPES = ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

type MessageId =
  | Exclude<PullClass, "unauthorized">
  | "unauthorized"
  | "unauthorizedNoPullSecret"
  | "pullSecretMissing"
  | "pullSecretWrongType"
  | "pullSecretUnparsable"
  | "pullSecretNoRegistryEntry";

/** `registry.example.com/team/api:1.2@sha256:...` -> `registry.example.com/team/api` (for `skopeo list-tags`). */
function repositoryOf(image: string): string {
  const noDigest = image.split("@")[0]!;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

interface PullFailure {
  entry: ContainerEntry;
  image: string;
  reason: string;
  /** The most informative message: the runtime's error from the last `Failed` event, else the status message. */
  message: string;
  events: Event[];
}

/** A bare back-off message carries no cause: "Back-off pulling image "x"" (older kubelets). */
const BARE_BACKOFF = /^Back-off pulling image "[^"]*"$/;

function pullFailure(index: ClusterIndex, pod: Pod, entry: ContainerEntry): PullFailure {
  const waiting = entry.status.state?.waiting ?? {};
  const image = entry.spec?.image ?? entry.status.image ?? "";
  const events = podEvents(
    index,
    pod,
    (e) =>
      isAboutContainer(e, entry.name) &&
      ((e.reason === "Failed" && (e.message ?? "").startsWith(`Failed to pull image "${image}"`)) ||
        (e.reason === "BackOff" && (e.message ?? "").startsWith(`Back-off pulling image "${image}"`)) ||
        e.reason === "InspectFailed" ||
        e.reason === "ErrImageNeverPull" ||
        e.reason === "FailedToRetrieveImagePullSecret"),
  );
  // "Failed to pull image "x": <runtime error>" (Failed) and "Failed to apply default image tag ..." (InspectFailed) carry the cause.
  const informative = [...events].reverse().find((e) => e.reason === "Failed" || e.reason === "InspectFailed" || e.reason === "ErrImageNeverPull");
  const statusMessage = waiting.message && !BARE_BACKOFF.test(waiting.message) ? waiting.message : undefined;
  const message = informative?.message ?? statusMessage ?? waiting.message ?? "";
  return { entry, image, reason: waiting.reason ?? "", message, events };
}

interface SecretCheck {
  messageId: MessageId;
  evidence: Evidence[];
  steps: InvestigationStep[];
  data: Record<string, string>;
  secret?: string;
  /** Pull secrets the ServiceAccount has now but the pod did not get (it was created before they were added). */
  serviceAccountSecrets?: string[];
}

/**
 * Which credentials the kubelet sends: exactly the pod's spec.imagePullSecrets (the ServiceAccount
 * admission plugin copies the ServiceAccount's imagePullSecrets into the pod when it is created).
 */
function checkPullSecrets(index: ClusterIndex, pod: Pod, image: string): SecretCheck {
  const ns = pod.metadata.namespace ?? "default";
  const podRef = refOf(pod);
  const names = (pod.spec.imagePullSecrets ?? []).map((s) => s.name).filter(Boolean);
  const saName = pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? "default";
  const sa = index.has("ServiceAccount") ? index.serviceAccount(ns, saName) : undefined;
  const saSecrets = (sa?.imagePullSecrets ?? []).map((s) => s.name);
  const podStep: InvestigationStep = {
    step: "Check which imagePullSecrets the pod sends",
    command: `kubectl get pod ${pod.metadata.name} -n ${ns} -o jsonpath='{.spec.imagePullSecrets}'`,
    result: names.length ? names.join(", ") : "none",
    outcome: names.length ? "ok" : "problem",
  };

  if (names.length === 0) {
    const evidence: Evidence[] = [
      { ref: podRef, path: "spec.imagePullSecrets", value: pod.spec.imagePullSecrets ?? null, note: "the kubelet pulls without credentials" },
      { ref: podRef, path: "spec.serviceAccountName", value: saName, ...(pod.spec.serviceAccountName ? {} : { note: "not set: default" }) },
    ];
    const steps = [podStep];
    if (sa) {
      evidence.push({
        ref: refOf(sa as ServiceAccount),
        path: "imagePullSecrets",
        value: sa.imagePullSecrets ?? null,
        note: saSecrets.length ? "added after the pod was created: only new pods get them" : "the ServiceAccount adds none either",
      });
      steps.push({
        step: `Check ServiceAccount ${saName}'s imagePullSecrets`,
        command: `kubectl get serviceaccount ${saName} -n ${ns} -o jsonpath='{.imagePullSecrets}'`,
        result: saSecrets.length ? `${saSecrets.join(", ")} (the pod predates them: recreate it)` : "none",
        outcome: "problem",
      });
    }
    return { messageId: "unauthorizedNoPullSecret", evidence, steps, data: { serviceAccount: saName }, serviceAccountSecrets: saSecrets };
  }

  const evidence: Evidence[] = [{ ref: podRef, path: "spec.imagePullSecrets", value: pod.spec.imagePullSecrets }];
  if (!index.has("Secret")) {
    return {
      messageId: "unauthorized",
      evidence,
      steps: [
        podStep,
        {
          step: "Check that the pull Secrets exist with a docker-registry type",
          command: `kubectl get secret ${names.join(" ")} -n ${ns} -o custom-columns=NAME:.metadata.name,TYPE:.type`,
          result: "Secrets are not in the snapshot; run the command",
          outcome: "unknown",
        },
      ],
      data: { pullSecrets: names.join(", ") },
      secret: names[0]!,
    };
  }
  const steps = [podStep];
  const typed: Secret[] = [];
  let verdict: SecretCheck | undefined;
  names.forEach((name, i) => {
    const secret = index.secret(ns, name);
    const command = `kubectl get secret ${name} -n ${ns} -o jsonpath='{.type}'`;
    if (!secret) {
      evidence.push({ ref: podRef, path: `spec.imagePullSecrets[${i}].name`, value: name, note: `no Secret ${ns}/${name} in the snapshot (Secrets were loaded)` });
      steps.push({ step: `Check that pull Secret ${name} exists`, command, result: `Error from server (NotFound): secrets "${name}" not found`, outcome: "problem" });
      verdict ??= { messageId: "pullSecretMissing", evidence, steps, data: { secret: name }, secret: name };
      return;
    }
    const type = secret.type ?? "Opaque";
    if (!PULL_SECRET_TYPES.includes(type)) {
      evidence.push({ ref: refOf(secret as Secret), path: "type", value: type, note: `the kubelet reads credentials only from ${PULL_SECRET_TYPES.join(" or ")}` });
      evidence.push({ ref: refOf(secret as Secret), path: "data", value: Object.keys(secret.data ?? {}), note: "keys (values redacted)" });
      steps.push({ step: `Check pull Secret ${name}'s type`, command, result: type, outcome: "problem" });
      verdict ??= { messageId: "pullSecretWrongType", evidence, steps, data: { secret: name, secretType: type }, secret: name };
      return;
    }
    evidence.push({ ref: refOf(secret as Secret), path: "type", value: type, note: "a registry credential Secret" });
    steps.push({ step: `Check pull Secret ${name}'s type`, command, result: type, outcome: "ok" });
    typed.push(secret as Secret);
  });
  if (verdict) return verdict;
  return (
    checkRegistryEntries(typed, image, evidence, steps) ?? { messageId: "unauthorized", evidence, steps, data: { pullSecrets: names.join(", ") }, secret: names[0]! }
  );
}

/**
 * The well-typed pull Secrets' contents, from the credential-free summary the source layer keeps
 * (Secret.registryAuth): the kubelet fails the pull when one of them does not parse
 * (MakeDockerKeyring returns the error), and sends no credentials when none has an entry matching the
 * image's repository (keyring Lookup). Undefined when the summaries allow no verdict.
 */
function checkRegistryEntries(secrets: readonly Secret[], image: string, evidence: Evidence[], steps: InvestigationStep[]): SecretCheck | undefined {
  if (secrets.length === 0 || secrets.some((s) => !s.registryAuth)) return undefined;
  const repository = repositoryToPull(image) ?? image;
  const keysCommand = (s: Secret): string =>
    `kubectl get secret ${s.metadata.name} -n ${s.metadata.namespace ?? "default"} -o jsonpath='{.data.${s.registryAuth!.key.replace(/\./g, "\\.")}}' | base64 -d | jq '.auths // . | keys'`;
  for (const secret of secrets) {
    const summary = secret.registryAuth!;
    if (summary.parses) continue;
    evidence.push({ ref: refOf(secret), path: `data[${summary.key}]`, value: REDACTED_VALUE, note: summary.problem ?? "does not parse" });
    steps.push({ step: `Parse pull Secret ${secret.metadata.name}`, command: keysCommand(secret), result: summary.problem ?? "does not parse", outcome: "problem" });
    return { messageId: "pullSecretUnparsable", evidence, steps, data: { secret: secret.metadata.name, problem: summary.problem ?? "it does not parse" }, secret: secret.metadata.name };
  }
  const registries: string[] = [];
  for (const secret of secrets) {
    const keys = secret.registryAuth!.entries.map((e) => e.registry);
    registries.push(...keys);
    const matched = matchingRegistryKeys(keys, image);
    evidence.push({
      ref: refOf(secret),
      path: "registryAuth.entries",
      value: secret.registryAuth!.entries,
      note: matched.length ? `entry ${matched.join(", ")} matches ${repository}` : `no entry matches ${repository} (credentials themselves are never read into kubesleuth)`,
    });
    steps.push({
      step: `Check that pull Secret ${secret.metadata.name} has credentials for ${repository}`,
      command: keysCommand(secret),
      result: keys.length ? `registries: ${keys.join(", ")}${matched.length ? ` (${matched[0]} matches)` : ""}` : "no registry entries",
      outcome: matched.length ? "ok" : "problem",
    });
    if (matched.length) return undefined;
  }
  return {
    messageId: "pullSecretNoRegistryEntry",
    evidence,
    steps,
    data: { secrets: secrets.map((s) => s.metadata.name).join(", "), registries: registries.length ? [...new Set(registries)].join(", ") : "none", repository },
    secret: secrets[0]!.metadata.name,
  };
}

export const podImagePullFailing = defineAnalyzer({
  id: "pod-image-pull-failing",
  title: "Image pull failing",
  area: "workload",
  severity: "error",
  needs: ["Pod", "Event", "Secret", "ServiceAccount", "ControllerRevision", ...WORKLOAD_KINDS],
  messages: {
    notFound: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: it does not exist in the registry",
      rootCause:
        "Registry {{registry}} has no image {{image}}: the tag or the repository does not exist (\"{{message}}\"). The kubelet keeps retrying with a growing back-off, but no retry succeeds until the reference changes or the image is pushed.{{whatChanged}}",
      remediation: "Point the container at a tag that exists (check the registry's tag list), or push the missing tag.",
    },
    unauthorized: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} denies access",
      rootCause:
        "Registry {{registry}} refused the pull (\"{{message}}\") although the pod sends the credentials of imagePullSecrets {{pullSecrets}}: they are not valid for this repository, or the repository does not exist (registries answer both alike to clients without access).{{whatChanged}}",
      remediation: "Renew the credentials in the pull Secret, or grant its account read access to the repository; check the repository name.",
    },
    unauthorizedNoPullSecret: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} denies access and the pod sends no credentials",
      rootCause:
        "Registry {{registry}} refused an anonymous pull (\"{{message}}\"). The pod has no imagePullSecrets (its ServiceAccount {{serviceAccount}} added none when it was created), so the kubelet pulls without credentials unless the node itself has some.{{whatChanged}}",
      remediation: "Create a kubernetes.io/dockerconfigjson Secret for the registry and reference it from the pod template or the ServiceAccount.",
    },
    pullSecretMissing: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: imagePullSecret {{secret}} does not exist",
      rootCause:
        "Registry {{registry}} refused the pull (\"{{message}}\"). The pod names imagePullSecret {{secret}}, but there is no Secret of that name in its namespace, so the kubelet pulls without those credentials.{{whatChanged}}",
      remediation: "Create the missing docker-registry Secret in the pod's namespace (or fix the name the pod template uses).",
    },
    pullSecretWrongType: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: imagePullSecret {{secret}} has type {{secretType}}",
      rootCause:
        "Registry {{registry}} refused the pull (\"{{message}}\"). The kubelet reads registry credentials only from Secrets of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg; {{secret}} has type {{secretType}}, so its contents are ignored and the pull goes out without them.{{whatChanged}}",
      remediation: "Recreate the Secret with `kubectl create secret docker-registry` (type kubernetes.io/dockerconfigjson).",
    },
    pullSecretUnparsable: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: imagePullSecret {{secret}} does not parse ({{problem}})",
      rootCause:
        "The pull fails with \"{{message}}\". Pull Secret {{secret}} has the right type, but {{problem}}: the kubelet cannot build its credential keyring from the pod's pull Secrets (MakeDockerKeyring fails), so the pull fails or goes out without these credentials.{{whatChanged}}",
      remediation: "Recreate the Secret with `kubectl create secret docker-registry` (it writes a valid .dockerconfigjson).",
    },
    pullSecretNoRegistryEntry: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: its pull Secrets hold no credentials for {{registry}}",
      rootCause:
        "Registry {{registry}} refused the pull (\"{{message}}\"). The pod's pull Secrets {{secrets}} have entries for {{registries}} only; none matches {{repository}} by the kubelet's rules (same host and port, `*` for one host label, path prefix; docker.io images also use an index.docker.io entry), so the kubelet pulls without credentials.{{whatChanged}}",
      remediation: "Add an entry for the image's registry (host[:port] exactly as in the image) to a pull Secret, or reference a Secret that has one.",
    },
    platformMismatch: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: it has no variant for the node's platform",
      rootCause:
        "Image {{image}} exists, but its manifest list has no entry for the node's OS/architecture (\"{{message}}\"), e.g. an amd64-only image on an arm64 node.{{whatChanged}}",
      remediation: "Use a multi-arch tag or one built for the node's architecture, or schedule the pods onto matching nodes (nodeSelector kubernetes.io/arch).",
    },
    registryUnreachable: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} is unreachable from the node",
      rootCause:
        "The node could not reach registry {{registry}} (\"{{message}}\"): its name does not resolve, or the connection times out or is refused (DNS, firewall or egress rules, a proxy, or the registry is down).{{whatChanged}}",
      remediation: "Check DNS resolution and connectivity from the node to the registry (proxy, firewall, egress rules), or pull through a mirror the nodes can reach.",
    },
    tlsError: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: TLS with registry {{registry}} fails",
      rootCause:
        "The container runtime does not accept registry {{registry}}'s TLS connection (\"{{message}}\"): a private CA the nodes do not trust, an expired certificate, a TLS-intercepting proxy, or a registry that speaks plain HTTP.{{whatChanged}}",
      remediation: "Install the registry's CA for the container runtime on every node (containerd: /etc/containerd/certs.d/<host>/ca.crt), or renew the registry certificate.",
    },
    rateLimited: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} rate-limits the node",
      rootCause:
        "Registry {{registry}} answered 429 Too Many Requests (\"{{message}}\"): the node's pull quota is used up (Docker Hub counts anonymous pulls per source IP, so a whole NAT-ed cluster shares one quota).{{whatChanged}}",
      remediation: "Authenticate the pulls (a docker-registry pull Secret raises the quota), or pull through a mirror or cache registry.",
    },
    invalidReference: {
      summary: "{{workload}}: {{pods}} cannot start: image reference {{image}} is invalid",
      rootCause:
        "The kubelet cannot parse {{image}} as an image reference (\"{{message}}\") and does not try to pull it. References are [registry/]repository[:tag][@digest], the repository in lowercase.{{whatChanged}}",
      remediation: "Fix the image string in the pod template (lowercase repository, one tag, no spaces or schemes such as https://).",
    },
    neverPull: {
      summary: "{{workload}}: {{pods}} cannot start: image {{image}} is not on the node and imagePullPolicy is Never",
      rootCause:
        "With imagePullPolicy Never the kubelet only uses images already present on the node (\"{{message}}\"); this node does not have {{image}}.{{whatChanged}}",
      remediation: "Pre-load the image on every node that may run the pod, or set imagePullPolicy to IfNotPresent.",
    },
    unclassified: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}} (kubesleuth cannot classify the error)",
      rootCause:
        "Pulling {{image}} fails with \"{{message}}\". kubesleuth cannot classify this message, so it is shown as the kubelet reported it: read it for the cause.{{whatChanged}}",
      remediation: "Read the pull error in the pod's events and try the same pull on the node (`crictl pull IMAGE`).",
    },
  },
  run({ index, report }) {
    const found: { pod: Pod; detail: PullFailure }[] = [];
    for (const pod of index.all<Pod>("Pod")) {
      if (isSettled(pod)) continue;
      const entry = containerEntries(pod).find((c) => PULL_REASONS.has(c.status.state?.waiting?.reason ?? ""));
      if (entry) found.push({ pod, detail: pullFailure(index, pod, entry) });
    }

    for (const group of groupByWorkload(index, found)) {
      const { pod, detail: failure } = group.members[0]!;
      const pods = group.members.map((m) => m.pod);
      const ns = pod.metadata.namespace ?? "default";
      const podRef = refOf(pod);
      const { entry, image, message } = failure;
      const registry = registryHost(image);
      const pullClass = classifyPullError(failure.reason, message);

      const evidence: Evidence[] = [];
      if (entry.specPath) evidence.push({ ref: podRef, path: `${entry.specPath}.image`, value: image, note: `container ${entry.name}, registry ${registry}` });
      const waiting = entry.status.state?.waiting;
      evidence.push({ ref: podRef, path: `${entry.statusPath}.state.waiting.reason`, value: failure.reason });
      if (waiting?.message) evidence.push({ ref: podRef, path: `${entry.statusPath}.state.waiting.message`, value: waiting.message });
      for (const e of failure.events) evidence.push(eventEvidence(pod, e));

      const investigation: InvestigationStep[] = [
        {
          step: "Read the container's waiting state",
          command: describePodCommand(pod),
          result: `${failure.reason}${waiting?.message ? `: ${waiting.message}` : ""}`,
          outcome: "problem",
        },
        {
          step: "Read the pull error in the pod's events",
          command: podEventsCommand(pod),
          result: failure.events.length ? message : "no pull events in the snapshot (events expire); the status message is all there is",
          outcome: failure.events.length ? "problem" : "unknown",
        },
      ];

      let messageId: MessageId = pullClass;
      const data: Record<string, string | number> = {
        workload: formatRef(group.subject),
        pods: podCount(pods.length),
        image,
        registry,
        // The event text wraps the runtime's error in "Failed to pull image "X": "; the error is the cause.
        message: message.replace(/^Failed to pull image "[^"]*": /, ""),
        container: entry.name,
      };
      let secretName: string | undefined;
      let serviceAccountSecrets: string[] = [];
      // A pull Secret that does not parse fails the pull before the registry is asked: the error is then
      // the JSON/base64 decoder's, which no class rule knows.
      const unparsable = pullClass === "unclassified" ? checkPullSecrets(index, pod, image) : undefined;
      if (unparsable?.messageId === "pullSecretUnparsable" || pullClass === "unauthorized") {
        const check = unparsable ?? checkPullSecrets(index, pod, image);
        messageId = check.messageId;
        evidence.push(...check.evidence);
        investigation.push(...check.steps);
        Object.assign(data, check.data);
        secretName = check.secret;
        serviceAccountSecrets = check.serviceAccountSecrets ?? [];
      }
      investigation.push(...classSteps(pullClass, pod, image, registry));
      // What changed: an older revision of the same Deployment pulled fine; the template difference is the cause.
      const change = ["Deployment", "StatefulSet", "DaemonSet"].includes(group.subject.kind) && messageId !== "registryUnreachable" && messageId !== "tlsError" && messageId !== "rateLimited" ? revisionChange(index, pods) : undefined;
      data.whatChanged = change ? ` What changed: ${changeSentence(change)}.` : "";
      if (change) {
        evidence.push(...change.evidence);
        investigation.push({
          step: `Compare the failing ${change.failing.kind} ${change.failing.metadata.name} with ${change.working.metadata.name}, whose pods pulled their images`,
          command: `kubectl rollout history ${kubectlTarget(group.subject)} -n ${ns}${change.failingRevision ? ` --revision=${change.failingRevision}` : ""}`,
          result: change.changes.join("; "),
          outcome: "problem",
        });
      }
      if (pods.length > 1) {
        investigation.push({
          step: `Check the other pods of ${formatRef(group.subject)}`,
          command: `kubectl get pods -n ${ns} -o wide`,
          result: `${podCount(pods.length)} failing to pull: ${podNames(pods)}`,
          outcome: "problem",
        });
      }

      report(messageId, {
        subject: group.subject,
        data,
        evidence,
        investigation,
        remediation: [
          ...(change ? [rollbackRemediation(change, group.subject, ns, pods)] : []),
          ...remediationFor(messageId, group.subject, pod, entry, image, registry, secretName, serviceAccountSecrets, pods),
        ],
        affected: pods.map((p) => refOf(p)),
      });
    }
  },
});

/** "ReplicaSet api-7d9 (revision 3) dropped imagePullSecrets [ghcr-pull] that api-5c4 (revision 2, 2 pods ready) used". */
function changeSentence(change: RevisionChange): string {
  const rev = (kind: string, name: string, revision: string | undefined): string => `${kind} ${name}${revision ? ` (revision ${revision})` : ""}`;
  return `the new ${rev(change.failing.kind, change.failing.metadata.name, change.failingRevision)} ${change.changes.join(", ")} compared with ${rev(change.working.kind, change.working.metadata.name, change.workingRevision)}, whose ${podCount(change.workingReady)} pulled and run`;
}

function rollbackRemediation(change: RevisionChange, subject: ObjectRef, ns: string, pods: readonly Pod[]): Remediation {
  const target = kubectlTarget(subject);
  return {
    description: `Roll back to ${change.working.metadata.name}${change.workingRevision ? ` (revision ${change.workingRevision})` : ""}, whose pods pull fine, then re-apply the template with the pull settings restored (${change.changes.join("; ")})`,
    command: `kubectl rollout undo ${target} -n ${ns}${change.workingRevision ? ` --to-revision=${change.workingRevision}` : ""}`,
    verify: verifyCommand(subject, pods),
    ...(change.failingRevision ? { rollback: `kubectl rollout undo ${target} -n ${ns} --to-revision=${change.failingRevision}` } : {}),
  };
}

function classSteps(pullClass: PullClass, pod: Pod, image: string, registry: string): InvestigationStep[] {
  const node = pod.spec.nodeName;
  const onNode = (command: string): string => (node ? `kubectl debug node/${node} -it --image=busybox:1.36 -- ${command}` : command);
  switch (pullClass) {
    case "notFound":
      return [{ step: "List the tags the repository has", command: `skopeo list-tags docker://${repositoryOf(image)}`, result: "run it: the requested tag is not among them", outcome: "unknown" }];
    case "registryUnreachable":
      return [{ step: `Resolve ${registry} from the node`, command: onNode(`nslookup ${registry === "docker.io" ? "registry-1.docker.io" : registry.split(":")[0]}`), result: "run it on the node that failed", outcome: "unknown" }];
    case "tlsError":
      return [
        {
          step: `Read the certificate ${registry} presents`,
          command: node
            ? `kubectl debug node/${node} -it --image=alpine:3.20 -- sh -c 'apk add -q openssl && openssl s_client -connect ${registry.includes(":") ? registry : `${registry}:443`} -showcerts </dev/null'`
            : `openssl s_client -connect ${registry.includes(":") ? registry : `${registry}:443`} -showcerts </dev/null`,
          result: "run it: compare the issuer with the CAs the node trusts",
          outcome: "unknown",
        },
      ];
    default:
      return [];
  }
}

function remediationFor(
  messageId: MessageId,
  subject: ObjectRef,
  pod: Pod,
  entry: ContainerEntry,
  image: string,
  registry: string,
  secretName: string | undefined,
  serviceAccountSecrets: readonly string[],
  pods: readonly Pod[],
): Remediation[] {
  const ns = pod.metadata.namespace ?? "default";
  const target = kubectlTarget(subject);
  const verify = verifyCommand(subject, pods);
  const rollout = canRollout(subject.kind);
  const server = registry === "docker.io" ? "https://index.docker.io/v1/" : registry;
  const createSecret = (name: string): string =>
    `kubectl create secret docker-registry ${name} -n ${ns} --docker-server=${server} --docker-username=<user> --docker-password=<token>`;
  const setImage = (description: string): Remediation =>
    rollout
      ? { description, command: `kubectl set image ${target} -n ${ns} ${entry.name}=<valid image reference>`, verify, rollback: `kubectl rollout undo ${target} -n ${ns}` }
      : { description: `${description} (edit the image in the ${subject.kind}'s manifest and re-apply it)`, command: `kubectl edit ${target} -n ${ns}`, verify };
  const createAndReference = (why: string): Remediation[] => {
    const name = `${registry.split(":")[0]!.replace(/[^a-z0-9-]/g, "-")}-pull`;
    const sa = pod.spec.serviceAccountName ?? "default";
    return [
      { description: `Create a pull Secret for ${registry}${why}`, command: createSecret(name), rollback: `kubectl delete secret ${name} -n ${ns}` },
      rollout
        ? {
            description: `Reference it from the pod template of ${formatRef(subject)} (new pods are rolled out with it)`,
            command: `kubectl patch ${target} -n ${ns} -p '{"spec":{"template":{"spec":{"imagePullSecrets":[{"name":"${name}"}]}}}}'`,
            verify,
            rollback: `kubectl rollout undo ${target} -n ${ns}`,
          }
        : {
            description: `Reference it from ServiceAccount ${sa}, then recreate the pods (a ServiceAccount's pull secrets are copied into pods only when they are created)`,
            command: `kubectl patch serviceaccount ${sa} -n ${ns} -p '{"imagePullSecrets":[{"name":"${name}"}]}'`,
            verify,
            rollback: `kubectl patch serviceaccount ${sa} -n ${ns} --type=json -p '[{"op":"remove","path":"/imagePullSecrets"}]'`,
          },
    ];
  };
  switch (messageId) {
    case "notFound":
      return [setImage(`Point container ${entry.name} at a tag of ${repositoryOf(image)} that exists, or push ${image}`)];
    case "invalidReference":
      return [setImage(`Replace ${image} with a valid reference${/[A-Z]/.test(image) ? ` (lowercase: ${image.toLowerCase()})` : ""}`)];
    case "neverPull":
      return [
        {
          description: `Let the kubelet pull ${image}: set imagePullPolicy of container ${entry.name} to IfNotPresent (or pre-load the image on every node)`,
          command: rollout && entry.specPath
            ? `kubectl patch ${target} -n ${ns} --type=json -p '[{"op":"replace","path":"/spec/template/${entry.specPath?.replace(/^spec\./, "spec/").replace(/\[(\d+)\]/g, "/$1").replace(/\./g, "/")}/imagePullPolicy","value":"IfNotPresent"}]'`
            : `kubectl edit ${target} -n ${ns}`,
          verify,
          ...(rollout ? { rollback: `kubectl rollout undo ${target} -n ${ns}` } : {}),
        },
      ];
    case "pullSecretMissing":
      return [
        {
          description: `Create pull Secret ${secretName} in namespace ${ns} with credentials for ${registry} (the kubelet reads it on the next pull attempt; no restart needed)`,
          command: createSecret(secretName!),
          verify,
          rollback: `kubectl delete secret ${secretName} -n ${ns}`,
        },
      ];
    case "pullSecretWrongType":
      return [
        {
          description: `Recreate ${secretName} as a docker-registry Secret (type kubernetes.io/dockerconfigjson), keeping a copy of the current one`,
          command: `kubectl get secret ${secretName} -n ${ns} -o yaml > ${secretName}.backup.yaml && kubectl delete secret ${secretName} -n ${ns} && ${createSecret(secretName!)}`,
          verify,
          rollback: `kubectl delete secret ${secretName} -n ${ns} && kubectl create -f ${secretName}.backup.yaml`,
        },
      ];
    case "unauthorizedNoPullSecret":
      if (serviceAccountSecrets.length) {
        return [
          {
            description: `Recreate the pods: ServiceAccount ${pod.spec.serviceAccountName ?? "default"} now lists ${serviceAccountSecrets.join(", ")}, but pods get a ServiceAccount's pull secrets only when they are created`,
            command: rollout
              ? `kubectl rollout restart ${target} -n ${ns}`
              : subject.kind === "Pod"
                ? `kubectl get pod ${pod.metadata.name} -n ${ns} -o yaml > ${pod.metadata.name}.yaml && kubectl replace --force -f ${pod.metadata.name}.yaml`
                : `kubectl delete pod ${pods.map((p) => p.metadata.name).join(" ")} -n ${ns}`,
            verify,
          },
        ];
      }
      return createAndReference("");
    case "rateLimited":
      return createAndReference(" (authenticated pulls get a higher quota; a mirror or pull-through cache also works)");
    case "pullSecretUnparsable":
    case "pullSecretNoRegistryEntry":
      return [
        {
          description: `Write credentials for ${registry} into pull Secret ${secretName} (kubectl writes a valid .dockerconfigjson; keep a copy of the current Secret); the kubelet uses them on its next attempt`,
          command: `kubectl get secret ${secretName} -n ${ns} -o yaml > ${secretName}.backup.yaml && kubectl create secret docker-registry ${secretName} -n ${ns} --docker-server=${server} --docker-username=<user> --docker-password=<token> --dry-run=client -o yaml | kubectl apply -f -`,
          verify,
          rollback: `kubectl replace -f ${secretName}.backup.yaml`,
        },
      ];
    case "unauthorized":
      return [
        {
          description: `Renew the credentials in pull Secret ${secretName} for ${registry} (or grant that account read access to ${repositoryOf(image)}), and check the repository name; the kubelet uses the new credentials on its next attempt`,
          command: `kubectl create secret docker-registry ${secretName} -n ${ns} --docker-server=${server} --docker-username=<user> --docker-password=<token> --dry-run=client -o yaml | kubectl apply -f -`,
          verify,
        },
      ];
    case "registryUnreachable":
      return [
        {
          description: `Restore DNS and network access from the nodes to ${registry} (resolver, firewall or egress rules, the container runtime's proxy settings), or pull through a mirror the nodes can reach; the kubelet retries on its own`,
          verify: pod.spec.nodeName
            ? `kubectl debug node/${pod.spec.nodeName} -it --image=busybox:1.36 -- wget -S --spider https://${registry === "docker.io" ? "registry-1.docker.io" : registry}/v2/`
            : verify,
        },
      ];
    case "tlsError":
      return [
        {
          description: `Make every node's container runtime trust ${registry}: install the registry's CA for containerd (run on each node), or renew the registry's certificate`,
          command: `sudo mkdir -p /etc/containerd/certs.d/${registry} && sudo cp ca.crt /etc/containerd/certs.d/${registry}/ca.crt`,
          verify: `crictl pull ${image}`,
          rollback: `sudo rm /etc/containerd/certs.d/${registry}/ca.crt`,
        },
      ];
    case "platformMismatch":
      return [
        setImage(`Point container ${entry.name} at an image built for the node's platform (a multi-arch tag)`),
        {
          description: `Or keep ${image} and run the pods only on nodes of an architecture it provides (check with: docker manifest inspect ${image})`,
          command: rollout
            ? `kubectl patch ${target} -n ${ns} -p '{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/arch":"<arch the image has>"}}}}}'`
            : `kubectl edit ${target} -n ${ns}`,
          verify,
          ...(rollout ? { rollback: `kubectl rollout undo ${target} -n ${ns}` } : {}),
        },
      ];
    case "unclassified":
      return [{ description: `Reproduce the pull on the node (crictl pull ${image}) to read the runtime's full error, then fix what it names`, verify }];
  }
}
