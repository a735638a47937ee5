/** Step ids → SLAs, numbered as the engine compiles: phase by phase, depth first. */
import assert from "node:assert/strict";
import { requestSlaTable } from "../../src/controller/step_slas.ts";
import { bench } from "./_bench.ts";

Deno.test("request steps are numbered phase by phase, depth first, stopwatches included", () => {
  const b = bench(`phases:
  - first:
      atOnce:
        users: 1
        scenario:
          - main:
              - httpRequest:
                  GET: /a
                  sla:
                    meanResponseTime: 10ms
              - stopwatch:
                  - httpRequest:
                      GET: /b
  - second:
      atOnce:
        users: 1
        startAfter: first
        scenario:
          - main:
              - httpRequest:
                  GET: /c
`);
  const slas = requestSlaTable(b);
  assert.equal(slas(1)?.[0].meanResponseTime, 10);
  assert.equal(slas(2), undefined, "a stopwatch has an id but no SLA");
  assert.deepEqual(slas(3), [{
    errorRatio: 1.01,
    invalidRatio: 1.01,
    blockedRatio: 0,
    limits: {},
  }]);
  assert.equal(slas(4)?.[0].blockedRatio, 0, "the second phase compiles its own steps");
  assert.equal(slas(5), undefined);
});
