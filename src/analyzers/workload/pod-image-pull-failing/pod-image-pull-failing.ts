// Decides which workloads cannot pull an image and why, from the kubelet's pull errors: missing image, denied access (and which pull secret is missing or mistyped), unreachable registry, TLS, rate limit, invalid reference.
import { defineAnalyzer } from "../../define.js";
import type { Evidence, InvestigationStep, Remediation } from "../../../model/finding.js";
import type { Event, Pod, Secret, ServiceAccount } from "../../../model/kube.js";
import { formatRef, refOf, type ObjectRef } from "../../../model/ref.js";
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

/** Waiting reasons the kubelet sets when it cannot get a container's image (pkg/kubelet/images/types.go, cri-api errors). */
const PULL_REASONS = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable", "SignatureValidationFailed"]);

/** The only Secret types the kubelet reads registry credentials from (pkg/credentialprovider/secrets). */
const PULL_SECRET_TYPES = ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

type PullClass = "invalidReference" | "neverPull" | "rateLimited" | "tlsError" | "unauthorized" | "notFound" | "registryUnreachable" | "unclassified";
type MessageId = Exclude<PullClass, "unauthorized"> | "unauthorized" | "unauthorizedNoPullSecret" | "pullSecretMissing" | "pullSecretWrongType";

/**
 * Pull error texts as containerd, CRI-O and dockershim word them, checked in this order (a rate-limit
 * answer also says "unexpected status", a TLS failure happens on the way to "failed to resolve").
 */
const CLASS_RULES: readonly [PullClass, RegExp][] = [
  ["rateLimited", /toomanyrequests|429 Too Many Requests|pull rate limit/i],
  ["tlsError", /x509: |tls: failed to verify|tls: |certificate signed by unknown authority|certificate has expired|server gave HTTP response to HTTPS client/i],
  [
    "unauthorized",
    /pull access denied|401 Unauthorized|403 Forbidden|\bunauthorized\b|authorization failed|authentication required|no basic auth credentials|requested access to the resource is denied/i,
  ],
  ["notFound", /manifest unknown|: not found\b|manifest for \S+ not found|name unknown|code = NotFound/i],
  [
    "registryUnreachable",
    /no such host|i\/o timeout|connection refused|connection timed out|network is unreachable|no route to host|server misbehaving|Temporary failure in name resolution|TLS handshake timeout|registry is unavailable/i,
  ],
];

/** Classifies a pull failure from the waiting reason and the runtime's message. */
function classifyPullError(reason: string | undefined, message: string): PullClass {
  if (reason === "InvalidImageName" || /invalid reference format/i.test(message)) return "invalidReference";
  if (reason === "ErrImageNeverPull") return "neverPull";
  if (reason === "RegistryUnavailable") return "registryUnreachable";
  for (const [cls, pattern] of CLASS_RULES) if (pattern.test(message)) return cls;
  return "unclassified";
}

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
function checkPullSecrets(index: ClusterIndex, pod: Pod): SecretCheck {
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
  });
  return verdict ?? { messageId: "unauthorized", evidence, steps, data: { pullSecrets: names.join(", ") }, secret: names[0]! };
}

export const podImagePullFailing = defineAnalyzer({
  id: "pod-image-pull-failing",
  title: "Image pull failing",
  area: "workload",
  severity: "error",
  needs: ["Pod", "Event", "Secret", "ServiceAccount", ...WORKLOAD_KINDS],
  messages: {
    notFound: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: it does not exist in the registry",
      rootCause:
        "Registry {{registry}} has no image {{image}}: the tag or the repository does not exist (\"{{message}}\"). The kubelet keeps retrying with a growing back-off, but no retry succeeds until the reference changes or the image is pushed.",
      remediation: "Point the container at a tag that exists (check the registry's tag list), or push the missing tag.",
    },
    unauthorized: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} denies access",
      rootCause:
        "Registry {{registry}} refused the pull (\"{{message}}\") although the pod sends the credentials of imagePullSecrets {{pullSecrets}}: they are not valid for this repository, or the repository does not exist (registries answer both alike to clients without access).",
      remediation: "Renew the credentials in the pull Secret, or grant its account read access to the repository; check the repository name.",
    },
    unauthorizedNoPullSecret: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} denies access and the pod sends no credentials",
      rootCause:
        "Registry {{registry}} refused an anonymous pull (\"{{message}}\"). The pod has no imagePullSecrets (its ServiceAccount {{serviceAccount}} added none when it was created), so the kubelet pulls without credentials unless the node itself has some.",
      remediation: "Create a kubernetes.io/dockerconfigjson Secret for the registry and reference it from the pod template or the ServiceAccount.",
    },
    pullSecretMissing: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: imagePullSecret {{secret}} does not exist",
      rootCause:
        "Registry {{registry}} refused the pull (\"{{message}}\"). The pod names imagePullSecret {{secret}}, but there is no Secret of that name in its namespace, so the kubelet pulls without those credentials.",
      remediation: "Create the missing docker-registry Secret in the pod's namespace (or fix the name the pod template uses).",
    },
    pullSecretWrongType: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: imagePullSecret {{secret}} has type {{secretType}}",
      rootCause:
        "Registry {{registry}} refused the pull (\"{{message}}\"). The kubelet reads registry credentials only from Secrets of type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg; {{secret}} has type {{secretType}}, so its contents are ignored and the pull goes out without them.",
      remediation: "Recreate the Secret with `kubectl create secret docker-registry` (type kubernetes.io/dockerconfigjson).",
    },
    registryUnreachable: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} is unreachable from the node",
      rootCause:
        "The node could not reach registry {{registry}} (\"{{message}}\"): its name does not resolve, or the connection times out or is refused (DNS, firewall or egress rules, a proxy, or the registry is down).",
      remediation: "Check DNS resolution and connectivity from the node to the registry (proxy, firewall, egress rules), or pull through a mirror the nodes can reach.",
    },
    tlsError: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: TLS with registry {{registry}} fails",
      rootCause:
        "The container runtime does not accept registry {{registry}}'s TLS connection (\"{{message}}\"): a private CA the nodes do not trust, an expired certificate, a TLS-intercepting proxy, or a registry that speaks plain HTTP.",
      remediation: "Install the registry's CA for the container runtime on every node (containerd: /etc/containerd/certs.d/<host>/ca.crt), or renew the registry certificate.",
    },
    rateLimited: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}}: registry {{registry}} rate-limits the node",
      rootCause:
        "Registry {{registry}} answered 429 Too Many Requests (\"{{message}}\"): the node's pull quota is used up (Docker Hub counts anonymous pulls per source IP, so a whole NAT-ed cluster shares one quota).",
      remediation: "Authenticate the pulls (a docker-registry pull Secret raises the quota), or pull through a mirror or cache registry.",
    },
    invalidReference: {
      summary: "{{workload}}: {{pods}} cannot start: image reference {{image}} is invalid",
      rootCause:
        "The kubelet cannot parse {{image}} as an image reference (\"{{message}}\") and does not try to pull it. References are [registry/]repository[:tag][@digest], the repository in lowercase.",
      remediation: "Fix the image string in the pod template (lowercase repository, one tag, no spaces or schemes such as https://).",
    },
    neverPull: {
      summary: "{{workload}}: {{pods}} cannot start: image {{image}} is not on the node and imagePullPolicy is Never",
      rootCause:
        "With imagePullPolicy Never the kubelet only uses images already present on the node (\"{{message}}\"); this node does not have {{image}}.",
      remediation: "Pre-load the image on every node that may run the pod, or set imagePullPolicy to IfNotPresent.",
    },
    unclassified: {
      summary: "{{workload}}: {{pods}} cannot pull image {{image}} (kubesleuth cannot classify the error)",
      rootCause:
        "Pulling {{image}} fails with \"{{message}}\". kubesleuth cannot classify this message, so it is shown as the kubelet reported it: read it for the cause.",
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
      if (pullClass === "unauthorized") {
        const check = checkPullSecrets(index, pod);
        messageId = check.messageId;
        evidence.push(...check.evidence);
        investigation.push(...check.steps);
        Object.assign(data, check.data);
        secretName = check.secret;
        serviceAccountSecrets = check.serviceAccountSecrets ?? [];
      }
      investigation.push(...classSteps(pullClass, pod, image, registry));
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
        remediation: remediationFor(messageId, group.subject, pod, entry, image, registry, secretName, serviceAccountSecrets, pods),
        affected: pods.map((p) => refOf(p)),
      });
    }
  },
});

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
    case "unclassified":
      return [{ description: `Reproduce the pull on the node (crictl pull ${image}) to read the runtime's full error, then fix what it names`, verify }];
  }
}
