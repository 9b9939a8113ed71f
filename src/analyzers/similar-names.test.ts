import { it } from "node:test";
import assert from "node:assert/strict";
import { editDistance } from "./similar-names.js";

it("editDistance: Levenshtein's textbook values", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("deployment-editor", "deployments-editor"), 1);
  assert.equal(editDistance("same", "same"), 0);
});
