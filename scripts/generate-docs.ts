// Generates docs/analyzers.md from the registry. `npm run docs` writes it; test/registry.test.ts fails when it is stale.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderCatalogue } from "../test/catalogue.js";

const target = fileURLToPath(new URL("../docs/analyzers.md", import.meta.url));
writeFileSync(target, renderCatalogue());
console.log(`wrote ${target}`);
