// Decides whether the controller behind an IngressClass runs, whether it took up each Ingress of the
// class (status.loadBalancer filled), and whether its log reports errors about one of them.
import { defineAnalyzer } from "../../define.js";
import type { Evidence } from "../../../model/finding.js";
import type { Ingress, IngressClass, Pod } from "../../../model/kube.js";
import { classOfIngress } from "../ingress-class-of.js";
import { refOf } from "../../../model/ref.js";
import { controllerUpdatesStatus, knownController, podRunsIngressController } from "../../../semantics/ingress-controllers.js";
import { formatAge, parseTime } from "../../../semantics/time.js";

/** A controller writes status.loadBalancer within seconds of taking an Ingress up; past this it has not. */
const STATUS_GRACE_MS = 5 * 60_000;
const MAX_LOG_LINES = 5;
const MAX_PODS_IN_EVIDENCE = 5;

function isReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A warning or error log line: klog `E`/`W` prefix, logfmt `level=error|warn`, JSON `"level":"error"`. */
function isWarningOrError(line: string): boolean {
  return /^[EW]\d{4} /.test(line) || /\blevel[=:]"?(error|warn|warning|fatal)\b/i.test(line) || /"level":\s*"(error|warn|warning|fatal)"/i.test(line);
}

/**
 * Whether a controller log line names this Ingress: `<namespace>/<name>` as a whole word (klog,
 * ingress-nginx), or `namespace=<ns>` and `ingress=<name>` fields (logfmt, Traefik).
 */
function namesIngress(ingress: Ingress): (line: string) => boolean {
  const ns = escape(ingress.metadata.namespace ?? "default");
  const name = escape(ingress.metadata.name);
  const key = new RegExp(`(^|[^A-Za-z0-9_.-])${ns}/${name}($|[^A-Za-z0-9_.-])`);
  const nsField = new RegExp(`\\bnamespace[=:]"?${ns}\\b`);
  const nameField = new RegExp(`\\bingress[=:]"?${name}\\b`);
  return (line) => key.test(line) || (nsField.test(line) && nameField.test(line));
}

export const ingressControllerNotRunning = defineAnalyzer({
  id: "ingress-controller-not-running",
  title: "IngressClass controller not running or not serving an Ingress",
  area: "ingress",
  severity: "error",
  needs: ["Ingress", "IngressClass", "Pod"],
  needsLogs: true,
  messages: {
    controllerNotRunning: {
      summary: "IngressClass {{ingressClass}} ({{controller}}): no {{controllerName}} controller pod is running, so its {{ingresses}} Ingress(es) are not served",
      rootCause:
        "The IngressClass names controller {{controller}}, implemented by {{controllerName}}. {{podsFound}} Nothing programs the routes of the Ingresses of this class ({{ingressList}}); requests to their hosts are not answered by any proxy.",
      remediation: "Install or repair the ingress controller for this class (its Deployment/DaemonSet and pods), or point the Ingresses at a class whose controller runs.",
    },
    notProcessed: {
      summary: "Ingress {{namespace}}/{{ingress}} has no address after {{age}} although its {{controllerName}} controller runs: the controller has not taken it up",
      rootCause:
        "A controller that serves an Ingress writes the address it serves it at into status.loadBalancer. {{namespace}}/{{ingress}} (class {{ingressClass}}) is {{age}} old and its status.loadBalancer is empty while {{readyPods}} ready {{controllerName}} pod(s) run: the controller ignores it (another class or a watch-namespace/label filter) or rejects it (see its log).",
      remediation: "Read the controller's log for this Ingress and check its class and the controller's scope flags (watch namespace, ingress class).",
      severity: "warning",
    },
    controllerLogErrors: {
      summary: "The {{controllerName}} controller logs errors about Ingress {{namespace}}/{{ingress}}: {{firstLine}}",
      rootCause: "The controller of class {{ingressClass}} reports, in {{lines}} log line(s) that name {{namespace}}/{{ingress}}, that it cannot serve it as written: {{firstLine}}",
      remediation: "Fix what the log line names (a missing Service or endpoint, an invalid annotation or snippet, a TLS Secret) in the Ingress or the objects it refers to.",
      severity: "warning",
    },
  },
  run({ snapshot, index, now, report }) {
    if (!index.has("Pod") || snapshot.coverage.Pod?.status === "partial") return;
    const pods = index.all<Pod>("Pod");
    const byClass = new Map<string, { cls: IngressClass; ingresses: Ingress[] }>();
    for (const ingress of index.all<Ingress>("Ingress")) {
      const cls = classOfIngress(index, ingress);
      if (!cls) continue; // ingress-backend-missing reports a missing class
      const entry = byClass.get(cls.metadata.name) ?? { cls, ingresses: [] };
      entry.ingresses.push(ingress);
      byClass.set(cls.metadata.name, entry);
    }
    for (const { cls, ingresses } of [...byClass.values()].sort((a, b) => a.cls.metadata.name.localeCompare(b.cls.metadata.name))) {
      const controller = cls.spec?.controller ?? "";
      const known = knownController(controller);
      // An unknown controller (or one running outside the cluster, like GKE's): cannot determine, say nothing.
      if (!known) continue;
      const controllerPods = pods.filter((p) => podRunsIngressController(p, controller));
      const ready = controllerPods.filter(isReady);
      const clsRef = refOf(cls);
      if (ready.length === 0) {
        // In a scan narrowed to one namespace the controller's namespace was not read: cannot tell.
        if (controllerPods.length === 0 && snapshot.namespace) continue;
        const podsFound = controllerPods.length
          ? `${controllerPods.length} pod(s) run its image but none is Running and Ready (${controllerPods.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => `${p.metadata.namespace}/${p.metadata.name}: ${p.status?.phase ?? "unknown"}`).join(", ")}).`
          : `No pod in the cluster runs a ${known.name} image (${known.images.join(", ")}).`;
        const evidence: Evidence[] = [
          { ref: clsRef, path: "spec.controller", value: controller, note: known.name },
          ...controllerPods.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => ({ ref: refOf(p), path: "status.phase", value: p.status?.phase ?? null, note: "not Ready" })),
          ...(controllerPods.length === 0 ? [{ ref: clsRef, path: "pods", value: 0, note: `pods running ${known.images.join(" or ")} among ${pods.length} pods` }] : []),
          ...ingresses.slice(0, MAX_PODS_IN_EVIDENCE).map((i) => ({ ref: refOf(i), path: i.spec?.ingressClassName ? "spec.ingressClassName" : "metadata.name", value: i.spec?.ingressClassName ?? i.metadata.name, note: `Ingress of class ${cls.metadata.name}` })),
        ];
        report("controllerNotRunning", {
          subject: clsRef,
          data: {
            ingressClass: cls.metadata.name,
            controller,
            controllerName: known.name,
            ingresses: ingresses.length,
            ingressList: ingresses.slice(0, MAX_PODS_IN_EVIDENCE).map((i) => `${i.metadata.namespace}/${i.metadata.name}`).join(", ") + (ingresses.length > MAX_PODS_IN_EVIDENCE ? ", ..." : ""),
            podsFound,
          },
          evidence,
          affected: [...ingresses.map(refOf), ...controllerPods.map(refOf)],
          investigation: [
            { step: "Read the class's controller", command: `kubectl get ingressclass ${cls.metadata.name} -o jsonpath='{.spec.controller}'`, result: controller, outcome: "ok" },
            { step: `Look for ${known.name} pods`, command: `kubectl get pods -A -o wide | grep -i ${known.images[0]!.split("/")[0]}`, result: podsFound, outcome: "problem" },
          ],
          remediation: [
            {
              description: `Install (or repair) ${known.name} for controller ${controller}, then check its pods are Ready`,
              command: controllerPods[0] ? `kubectl describe pod ${controllerPods[0].metadata.name} -n ${controllerPods[0].metadata.namespace}` : `kubectl get deploy,ds -A | grep -i ${known.images[0]!.split("/")[0]}`,
              verify: `kubectl get ingress -A  # the Ingresses of class ${cls.metadata.name} get an ADDRESS`,
            },
          ],
        });
        continue;
      }
      // The warning/error lines of the running controller pods, split once for all Ingresses of the class.
      const readyKeys = new Set(ready.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
      const problemLines = snapshot.logs
        .filter((l) => !l.previous && readyKeys.has(`${l.namespace}/${l.pod}`))
        .flatMap((l) => l.text.split(/\r?\n/).map((line) => ({ line: line.trimEnd(), log: l })))
        .filter(({ line }) => isWarningOrError(line));
      for (const ingress of ingresses) {
        const ns = ingress.metadata.namespace ?? "default";
        const ref = refOf(ingress);
        const names = namesIngress(ingress);
        const lines = problemLines.filter(({ line }) => names(line));
        if (lines.length) {
          const last = lines.slice(-MAX_LOG_LINES);
          report("controllerLogErrors", {
            subject: ref,
            data: { namespace: ns, ingress: ingress.metadata.name, ingressClass: cls.metadata.name, controllerName: known.name, lines: lines.length, firstLine: last[last.length - 1]!.line },
            evidence: last.map(({ line, log }) => ({ ref: { kind: "Pod", namespace: log.namespace, name: log.pod }, path: "log", value: line, note: log.container })),
            affected: [],
            investigation: [
              {
                step: "Read the controller's log about this Ingress",
                command: `kubectl logs ${last[0]!.log.pod} -n ${last[0]!.log.namespace} -c ${last[0]!.log.container} | grep '${ns}/${ingress.metadata.name}'`,
                result: `${lines.length} warning/error line(s)`,
                outcome: "problem",
              },
            ],
            remediation: [{ description: "Fix what the controller reports, then watch its log", command: `kubectl describe ingress ${ingress.metadata.name} -n ${ns}`, verify: `kubectl logs ${last[0]!.log.pod} -n ${last[0]!.log.namespace} --since=5m | grep '${ns}/${ingress.metadata.name}'` }],
          });
        }
        const created = parseTime(ingress.metadata.creationTimestamp);
        const lb = ingress.status?.loadBalancer?.ingress ?? [];
        if (lb.length === 0 && created !== undefined && now - created >= STATUS_GRACE_MS && ready.every((p) => controllerUpdatesStatus(p, controller))) {
          report("notProcessed", {
            subject: ref,
            data: { namespace: ns, ingress: ingress.metadata.name, ingressClass: cls.metadata.name, controllerName: known.name, age: formatAge(now - created), readyPods: ready.length },
            evidence: [
              { ref, path: "status.loadBalancer", value: ingress.status?.loadBalancer ?? null, note: "no address" },
              { ref, path: "metadata.creationTimestamp", value: ingress.metadata.creationTimestamp },
              ...ready.slice(0, MAX_PODS_IN_EVIDENCE).map((p) => ({ ref: refOf(p), path: "status.phase", value: "Running", note: `Ready ${known.name} pod` })),
            ],
            investigation: [
              { step: "Check the Ingress's address", command: `kubectl get ingress ${ingress.metadata.name} -n ${ns}`, result: "ADDRESS is empty", outcome: "problem" },
              { step: "Read the controller's log about it", command: `kubectl logs ${ready[0]!.metadata.name} -n ${ready[0]!.metadata.namespace} | grep '${ns}/${ingress.metadata.name}'`, result: "run the command", outcome: "unknown" },
            ],
            remediation: [
              {
                description: `Make sure the ${known.name} controller watches this Ingress (class ${cls.metadata.name}, watch-namespace, ingress-class flags) and accepts it`,
                command: `kubectl describe ingress ${ingress.metadata.name} -n ${ns}`,
                verify: `kubectl get ingress ${ingress.metadata.name} -n ${ns} -w  # an ADDRESS appears`,
              },
            ],
          });
        }
      }
    }
  },
});
