// Whether a node satisfies a pod's nodeSelector and node affinity (component-helpers scheduling/corev1/nodeaffinity).
import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from "../model/kube.js";
import { matchesLabelRequirement, newRequirement, type SelectorOperator, type SelectorRequirement } from "./labels.js";

/** The parts of a Node that node affinity reads: its name (matchFields) and labels (matchExpressions). */
export interface NodeLike {
  metadata?: { name?: string; labels?: Readonly<Record<string, string>> } | null;
}

/** The parts of a Pod that required node affinity reads. */
export interface PodLike {
  spec?: Pick<PodSpec, "nodeSelector" | "affinity"> | null;
}

/** The outcome of evaluating nodeSelectorTerms; `errors` are parse errors of terms that could not be evaluated. */
export interface NodeSelectorTermsVerdict {
  matches: boolean;
  /** Invalid terms, as "nodeSelectorTerms[i].matchExpressions[j].key: …". Reported only when no term matched (LazyErrorNodeSelector). */
  errors: string[];
}

// NodeSelectorOperator → selection.Operator (nodeSelectorRequirementsAsSelector).
const LABEL_OPERATORS: Readonly<Record<string, SelectorOperator>> = {
  In: "in",
  NotIn: "notin",
  Exists: "exists",
  DoesNotExist: "!",
  Gt: "gt",
  Lt: "lt",
};

type FieldTerm = { key: string; value: string; equal: boolean };

interface ParsedTerm {
  labels?: SelectorRequirement[];
  fields?: FieldTerm[];
  errors: string[];
}

function parseTerm(term: NodeSelectorTerm, path: string): ParsedTerm {
  const parsed: ParsedTerm = { errors: [] };
  const expressions = term.matchExpressions ?? [];
  if (expressions.length) {
    parsed.labels = [];
    expressions.forEach((expression: NodeSelectorRequirement, i) => {
      const at = `${path}.matchExpressions[${i}]`;
      const operator = LABEL_OPERATORS[expression.operator];
      if (!operator) {
        parsed.errors.push(`${at}.operator: Unsupported value: ${JSON.stringify(expression.operator)}: supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"`);
        return;
      }
      // labels.NewRequirement validates the key and the values; one bad expression invalidates the term.
      const { requirement, errors } = newRequirement(expression.key, operator, expression.values ?? [], at);
      if (errors.length) parsed.errors.push(...errors.map((e) => `${e.path}: ${e.message}`));
      else parsed.labels?.push(requirement);
    });
  }
  const fields = term.matchFields ?? [];
  if (fields.length) {
    parsed.fields = [];
    fields.forEach((field, i) => {
      const at = `${path}.matchFields[${i}]`;
      if (field.operator !== "In" && field.operator !== "NotIn") {
        parsed.errors.push(`${at}.operator: Unsupported value: ${JSON.stringify(field.operator)}: supported values: "In", "NotIn"`);
      } else if ((field.values ?? []).length !== 1) {
        // nodeSelectorRequirementsAsFieldSelector: a field requirement takes exactly one value.
        parsed.errors.push(`${at}.values: Invalid value: ${JSON.stringify(field.values ?? [])}: must have one element`);
      } else {
        parsed.fields?.push({ key: field.key, value: field.values?.[0] as string, equal: field.operator === "In" });
      }
    });
  }
  return parsed;
}

function matchesParsedTerm(term: ParsedTerm, node: NodeLike): boolean {
  const labels = node.metadata?.labels ?? undefined;
  if (term.labels && !term.labels.every((requirement) => matchesLabelRequirement(requirement, labels))) return false;
  // extractNodeFields: the only node field is metadata.name, and only when the name is non-empty.
  // With no fields at all, matchFields are not checked (nodeSelectorTerm.match: len(nodeFields) > 0).
  const name = node.metadata?.name;
  if (term.fields && name) {
    for (const field of term.fields) {
      // fields.Set.Get: an unknown field reads as "".
      const actual = field.key === "metadata.name" ? name : "";
      if ((actual === field.value) !== field.equal) return false;
    }
  }
  return true;
}

/**
 * NodeSelector terms as the scheduler evaluates them (LazyErrorNodeSelector.Match): terms are
 * ORed; within a term matchExpressions (node labels) and matchFields (metadata.name, In/NotIn
 * with exactly one value) are ANDed; an empty term matches nothing; a term with an invalid
 * expression matches nothing and its error is reported if no other term matched.
 */
export function evaluateNodeSelectorTerms(
  terms: readonly NodeSelectorTerm[] | null | undefined,
  node: NodeLike | null | undefined,
): NodeSelectorTermsVerdict {
  if (!node) return { matches: false, errors: [] };
  const errors: string[] = [];
  for (const [index, term] of (terms ?? []).entries()) {
    // "nil or empty term selects no objects"
    if (!(term.matchExpressions?.length || term.matchFields?.length)) continue;
    const parsed = parseTerm(term, `nodeSelectorTerms[${index}]`);
    if (parsed.errors.length) {
      errors.push(...parsed.errors);
      continue;
    }
    if (matchesParsedTerm(parsed, node)) return { matches: true, errors: [] };
  }
  return { matches: false, errors };
}

/** MatchNodeSelectorTerms: whether any of the terms matches the node (see evaluateNodeSelectorTerms). */
export function matchesNodeSelectorTerms(terms: readonly NodeSelectorTerm[] | null | undefined, node: NodeLike | null | undefined): boolean {
  return evaluateNodeSelectorTerms(terms, node).matches;
}

/** pod.spec.nodeSelector (labels.SelectorFromSet): every entry must be a node label with that value; empty matches all. */
export function matchesNodeSelector(nodeSelector: Readonly<Record<string, string>> | null | undefined, node: NodeLike | null | undefined): boolean {
  const labels = node?.metadata?.labels;
  return Object.entries(nodeSelector ?? {}).every(
    ([key, value]) => labels !== undefined && Object.prototype.hasOwnProperty.call(labels, key) && labels[key] === value,
  );
}

/**
 * GetRequiredNodeAffinity(pod).Match(node), the NodeAffinity filter: the pod's nodeSelector AND
 * its requiredDuringSchedulingIgnoredDuringExecution terms. A required node affinity with no
 * terms (nil or empty) matches no node; no required node affinity matches every node.
 */
export function podMatchesNodeAffinity(pod: PodLike | null | undefined, node: NodeLike | null | undefined): boolean {
  if (!node) return false;
  const spec = pod?.spec ?? undefined;
  if (!matchesNodeSelector(spec?.nodeSelector, node)) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined || required === null) return true;
  return matchesNodeSelectorTerms(required.nodeSelectorTerms, node);
}

/**
 * NewPreferredSchedulingTerms + Score: the sum of the weights of the preferred terms that match
 * the node. Terms with weight 0 and empty terms are skipped. Upstream refuses the whole list when
 * any weighted term is invalid (the scheduler then reports an error); `errors` lists those terms
 * and `score` counts only the valid ones.
 */
export function scorePreferredSchedulingTerms(
  terms: readonly { weight: number; preference: NodeSelectorTerm }[] | null | undefined,
  node: NodeLike,
): { score: number; errors: string[] } {
  let score = 0;
  const errors: string[] = [];
  (terms ?? []).forEach((term, index) => {
    if (term.weight === 0) return;
    const preference = term.preference;
    if (!(preference.matchExpressions?.length || preference.matchFields?.length)) return;
    const parsed = parseTerm(preference, `[${index}]`);
    if (parsed.errors.length) errors.push(...parsed.errors);
    else if (matchesParsedTerm(parsed, node)) score += term.weight;
  });
  return { score, errors };
}
