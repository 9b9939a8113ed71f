// Scaffolds an analyzer: `npm run new:analyzer -- <area>/<id>` writes src/analyzers/<area>/<id>/ with the
// analyzer, its test table, README (fixed headings) and one fires/quiet fixture, and registers it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AREAS } from "../src/model/finding.js";

const arg = process.argv[2] ?? "";
const match = /^([a-z-]+)\/([a-z0-9]+(?:-[a-z0-9]+)+)$/.exec(arg);
if (!match || !(AREAS as readonly string[]).includes(match[1]!)) {
  console.error(`usage: npm run new:analyzer -- <area>/<subject>-<problem>   (area: ${AREAS.join(", ")})`);
  process.exit(2);
}
const [, area, id] = match as unknown as [string, string, string];
const constName = id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const root = fileURLToPath(new URL("../src/analyzers/", import.meta.url));
const dir = `${root}${area}/${id}`;
if (existsSync(dir)) {
  console.error(`${dir} exists`);
  process.exit(2);
}
mkdirSync(`${dir}/fixtures`, { recursive: true });

writeFileSync(
  `${dir}/${id}.ts`,
  `// Decides <what this analyzer decides, in one line>.
import { defineAnalyzer } from "../../define.js";
import type { Pod } from "../../../model/kube.js";
import { refOf } from "../../../model/ref.js";

export const ${constName} = defineAnalyzer({
  id: "${id}",
  title: "<Title>",
  area: "${area}",
  severity: "error",
  needs: ["Pod"],
  messages: {
    problem: {
      summary: "Pod {{namespace}}/{{pod}} <has the problem>",
      rootCause: "<what is wrong and why; {{pod}} and other placeholders come from data>",
      remediation: "<generic advice for the catalogue>",
    },
  },
  run({ index, report }) {
    for (const pod of index.all<Pod>("Pod")) {
      if (pod.metadata.labels?.["example"] !== "broken") continue;
      report("problem", {
        subject: refOf(pod),
        data: { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name },
        evidence: [{ ref: refOf(pod), path: "metadata.labels.example", value: "broken" }],
        investigation: [{ step: "<what a human checks>", command: \`kubectl get pod \${pod.metadata.name} -n \${pod.metadata.namespace}\`, result: "<what it shows>", outcome: "problem" }],
        remediation: [{ description: "<the fix>", command: "<exact command>", verify: "<how to verify>", rollback: "<how to undo>" }],
      });
    }
  },
});
`,
);
writeFileSync(
  `${dir}/${id}.test.ts`,
  `import { testAnalyzer } from "../../../testing/analyzer-tester.js";
import { ${constName} } from "./${id}.js";

testAnalyzer(
  ${constName},
  {
    quiet: [{ name: "healthy pod", fixture: "quiet-healthy.yaml" }],
    fires: [{ name: "broken pod", fixture: "fires-broken.yaml", expect: [{ messageId: "problem", subject: "Pod/default/broken" }] }],
  },
  import.meta.url,
);
`,
);
writeFileSync(`${dir}/fixtures/quiet-healthy.yaml`, "apiVersion: v1\nkind: Pod\nmetadata: { name: fine, namespace: default }\nspec: { containers: [{ name: c, image: nginx }] }\n");
writeFileSync(`${dir}/fixtures/fires-broken.yaml`, "apiVersion: v1\nkind: Pod\nmetadata: { name: broken, namespace: default, labels: { example: broken } }\nspec: { containers: [{ name: c, image: nginx }] }\n");
writeFileSync(
  `${dir}/README.md`,
  `# ${id}\n\n## What it detects\n\n## Why it matters\n\n## How to fix\n\n## Examples\n- \`fixtures/fires-broken.yaml\`\n- \`fixtures/quiet-healthy.yaml\`\n\n## Limitations\n`,
);

// Register: add the import and the array entry; the registry sorts by id itself.
const registryPath = `${root}registry.ts`;
let registry = readFileSync(registryPath, "utf8");
const importLine = `import { ${constName} } from "./${area}/${id}/${id}.js";\n`;
const lastImport = registry.lastIndexOf("\nimport ");
const endOfImport = registry.indexOf("\n", lastImport + 1) + 1;
registry = registry.slice(0, endOfImport) + importLine + registry.slice(endOfImport);
registry = registry.replace(/export const ANALYZERS: readonly Analyzer\[\] = \[\n/, (m) => `${m}  ${constName},\n`);
writeFileSync(registryPath, registry);
console.log(`created ${dir}; registered ${constName}. Next: write the fixtures from Kubernetes' documented behaviour, then \`npm test -- ${dir}\` and \`npm run docs\`.`);
