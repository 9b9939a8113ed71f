// Lint: typescript-eslint's recommended rules plus the layer rules of docs/architecture.md,
// enforced as import zones (what each layer may not import) and banned globals (I/O, clock, process).
import tseslint from "typescript-eslint";

const nodeBuiltins = { group: ["node:*", "fs", "path", "http", "https", "child_process", "os", "zlib", "net"], message: "This layer does no I/O: data comes in through the snapshot." };
const layer = (name) => ({ group: [`**/${name}/**`, `../${name}/*`, `../../${name}/*`, `../../../${name}/*`], message: `Imports run one way (docs/architecture.md): this layer may not import ${name}/.` });
const pureGlobals = [
  { name: "process", message: "Pure layers do not read process: the CLI passes what is needed." },
  { name: "console", message: "Pure layers do not log: report findings or return values." },
  { name: "fetch", message: "Only sources/ do cluster I/O." },
];
const noClock = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: "Do not read the clock: use the `now` the run passes in." },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Do not read the clock: use the `now` the run passes in." },
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".cache/**", "bench/out/**", "**/fixtures/**", "examples/**/*.json", "src/generated/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-restricted-syntax": ["error", { selector: "ExportAllDeclaration", message: "Explicit named exports only (STYLE.md)." }],
    },
  },
  {
    files: ["src/model/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [nodeBuiltins, layer("semantics"), layer("indexes"), layer("engines"), layer("analyzers"), layer("impact"), layer("run"), layer("sources"), layer("renderers"), layer("cli"), layer("config")] }],
      "no-restricted-globals": ["error", ...pureGlobals],
    },
  },
  {
    files: ["src/semantics/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [nodeBuiltins, layer("indexes"), layer("engines"), layer("analyzers"), layer("impact"), layer("run"), layer("sources"), layer("renderers"), layer("cli")] }],
      "no-restricted-globals": ["error", ...pureGlobals],
      "no-restricted-syntax": ["error", ...noClock],
    },
  },
  {
    files: ["src/indexes/**/*.ts", "src/engines/**/*.ts", "src/impact/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [nodeBuiltins, layer("analyzers"), layer("run"), layer("sources"), layer("renderers"), layer("cli")] }],
      "no-restricted-globals": ["error", ...pureGlobals],
      "no-restricted-syntax": ["error", ...noClock],
    },
  },
  {
    files: ["src/analyzers/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [nodeBuiltins, layer("run"), layer("sources"), layer("renderers"), layer("cli"), layer("testing")] }],
      "no-restricted-globals": ["error", ...pureGlobals],
      "no-restricted-syntax": ["error", ...noClock],
    },
  },
  {
    files: ["src/renderers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [nodeBuiltins, layer("sources"), layer("cli")] }],
      "no-restricted-globals": ["error", ...pureGlobals],
      "no-restricted-syntax": ["error", ...noClock],
    },
  },
  {
    files: ["src/run/**/*.ts", "src/config/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [layer("sources"), layer("cli"), { group: ["node:fs", "fs", "node:http", "node:https", "node:child_process"], message: "run/ and config/ do no I/O." }] }],
      "no-restricted-globals": ["error", ...pureGlobals],
      "no-restricted-syntax": ["error", ...noClock],
    },
  },
  {
    files: ["src/sources/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [layer("analyzers"), layer("run"), layer("renderers"), layer("cli")] }] },
  },
);
