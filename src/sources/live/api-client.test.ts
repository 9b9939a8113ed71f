import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_RETRY, parseRetryAfter } from "./api-client.js";

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates, and ignores the rest", () => {
    assert.equal(parseRetryAfter("3"), 3000);
    assert.equal(parseRetryAfter(["0"]), 0);
    const now = Date.parse("2024-05-01T10:00:00Z");
    assert.equal(parseRetryAfter("Wed, 01 May 2024 10:00:05 GMT", now), 5000);
    assert.equal(parseRetryAfter("Wed, 01 May 2024 09:00:00 GMT", now), 0, "a date in the past means now");
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter("soon"), undefined);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base with jitter in [half, full], capped", () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const full = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (attempt - 1));
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay(DEFAULT_RETRY, attempt);
        assert.ok(delay >= full / 2 && delay <= full, `attempt ${attempt}: ${delay} not in [${full / 2}, ${full}]`);
      }
    }
  });

  it("honors Retry-After up to its cap", () => {
    assert.equal(backoffDelay(DEFAULT_RETRY, 1, 2000), 2000);
    assert.equal(backoffDelay(DEFAULT_RETRY, 1, 3_600_000), DEFAULT_RETRY.maxRetryAfterMs);
  });
});
