/**
 * Collection actions on array variables, and data shared between sessions:
 * shared counters and maps, agent data and global counters.
 */
import assert from "node:assert/strict";
import { wakeSession } from "../../src/scenario/session.ts";
import { bench, runToEnd, start, TestExecutor, UNSET } from "./_harness.ts";

Deno.test("addItem, getItem, setItem, removeItem, getIndex and getSize on an array", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: {var: arr, objectArray: {size: 4}}
      - addItem: {toVar: arr, value: a}
      - addItem: {toVar: arr, value: b}
      - set: c <- c
      - addItem: {toVar: arr, fromVar: c}
      - getSize: {fromVar: arr, toVar: size3}
      - getItem: {fromVar: arr, index: 1, toVar: second}
      - getIndex: {collection: arr, item: c, toVar: whereC}
      - getIndex: {collection: arr, item: {value: zz}, toVar: whereZ}
      - setItem: {toVar: arr, index: 0, value: A}
      - removeItem: {fromVar: arr, index: 1}
      - getSize: {fromVar: arr, toVar: size2}
      - getSize: {fromVar: missing, toVar: sizeMissing}
      - getSize: {fromVar: missing, toVar: sizeMissing0, undefinedValue: 0}
  `));
  assert.deepEqual(r.failures, []);
  assert.equal(r.v("size3"), 3);
  assert.equal(r.v("second"), "b");
  assert.equal(r.v("whereC"), 2);
  assert.equal(r.v("whereZ"), -1);
  assert.deepEqual(r.v("arr"), ["A", "c", UNSET, UNSET]);
  assert.equal(r.v("size2"), 2);
  assert.equal(r.v("sizeMissing"), -1);
  assert.equal(r.v("sizeMissing0"), 0);
});

Deno.test("addItem to a full array warns and drops the item", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: {var: arr, objectArray: {size: 1}}
      - addItem: {toVar: arr, value: a}
      - addItem: {toVar: arr, value: b}
  `));
  assert.deepEqual(r.v("arr"), ["a"]);
  assert.ok(r.ex.logs.some((l) => l.level === "warn" && /full/.test(l.message)));
});

Deno.test("getItem out of bounds logs and leaves toVar alone; setItem out of bounds fails", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: {var: arr, objectArray: {size: 2}}
      - getItem: {fromVar: arr, index: 5, toVar: x}
      - getItem: {fromVar: arr, index: 1, toVar: x}
      - setItem: {toVar: arr, index: 2, value: q}
  `));
  assert.equal(r.v("x"), UNSET);
  assert.equal(r.ex.logs.filter((l) => l.level === "error").length, 2);
  assert.match(r.failures[0], /out of the bounds/);
});

Deno.test("getSize counts items matching a bool, int or string filter", async () => {
  const r = await runToEnd(bench(`
    - main:
      - set: {var: arr, objectArray: {size: 6}}
      - addItem: {toVar: arr, value: "1"}
      - addItem: {toVar: arr, value: "5"}
      - addItem: {toVar: arr, value: "TRUE"}
      - addItem: {toVar: arr, value: "false"}
      - getSize: {fromVar: arr, toVar: trues, boolFilter: {value: true}}
      - getSize: {fromVar: arr, toVar: foo, stringFilter: {value: "true", caseSensitive: false}}
      - set: {var: nums, objectArray: {size: 3}}
      - addItem: {toVar: nums, value: "1"}
      - addItem: {toVar: nums, value: "5"}
      - addItem: {toVar: nums, value: "9"}
      - getSize: {fromVar: nums, toVar: big, intFilter: {greaterThan: 2}}
  `));
  assert.equal(r.v("trues"), 1);
  assert.equal(r.v("foo"), 1);
  assert.equal(r.v("big"), 2);
});

Deno.test("shared counters are per executor and add, subtract, set and read", async () => {
  const ex = new TestExecutor();
  const yaml = bench(`
    - main:
      - addToSharedCounter: hits++
      - addToSharedCounter: {key: hits, value: 5, operator: SUBTRACT}
      - setInt: ten <- 10
      - addToSharedCounter: {key: hits, fromVar: ten}
      - getSharedCounter: {key: hits, toVar: h}
      - setSharedCounter: {key: other, value: 7}
  `);
  const a = await runToEnd(yaml, { ex });
  assert.equal(a.v("h"), 6);
  const b = await runToEnd(yaml, { ex });
  assert.equal(b.v("h"), 12);
  assert.equal(ex.sharedCounters.get("other"), 7);
});

Deno.test("pushSharedMap and pullSharedMap hand entries between sessions, by match", async () => {
  const ex = new TestExecutor();
  const push = (user: string, token: string) =>
    runToEnd(
      bench(`
      - main:
        - set: user <- ${user}
        - set: token <- ${token}
        - pushSharedMap: {key: sessions, vars: [user, token]}
    `),
      { ex },
    );
  await push("alice", "t1");
  await push("bob", "t2");
  const pull = await runToEnd(
    bench(`
    - main:
      - set: user <- bob
      - pullSharedMap: {key: sessions, match: user, vars: [token]}
      - set: user <- carol
      - pullSharedMap: {key: sessions, match: user, vars: [token2]}
  `),
    { ex },
  );
  assert.equal(pull.v("token"), "t2");
  assert.equal(pull.v("token2"), UNSET, "no entry matches carol");
  assert.equal(ex.sharedMaps.get("sessions")!.length, 1);
  const any = await runToEnd(
    bench(`
    - main:
      - pullSharedMap: {key: sessions, vars: [user, token]}
      - pullSharedMap: {key: sessions, vars: [late]}
  `),
    { ex },
  );
  assert.equal(any.v("user"), "alice");
  assert.equal(any.v("token"), "t1");
  assert.equal(any.v("late"), UNSET);
});

Deno.test("agent data is write-once; readAgentData as a step waits until published", async () => {
  const ex = new TestExecutor();
  const reader = start(
    bench(`
    - main:
      - readAgentData: {name: config, toVar: cfg}
      - set: done <- yes
  `),
    { ex },
  );
  assert.equal(reader.v("done"), UNSET);
  const writer = await runToEnd(
    bench(`
    - main:
      - set: {var: arr, objectArray: {size: 3}}
      - addItem: {toVar: arr, value: x}
      - publishAgentData: {name: config, fromVar: arr}
  `),
    { ex },
  );
  assert.deepEqual(writer.failures, []);
  assert.deepEqual(ex.agentData.get("config"), ["x"]);
  wakeSession(reader.session);
  assert.equal(reader.v("done"), "yes");
  assert.deepEqual(reader.v("cfg"), ["x"]);
  const again = await runToEnd(
    bench(`
    - main:
      - set: v <- 1
      - publishAgentData: {name: config, fromVar: v}
  `),
    { ex },
  );
  assert.match(again.failures[0], /a second time/);
});

Deno.test("readAgentData as an action fails when nothing is published", async () => {
  const r = await runToEnd(bench(`
    - main:
      - setInt: n <- 1
      - conditional:
          intCondition: {fromVar: n, equalTo: 1}
          actions:
          - readAgentData: {name: nothing, toVar: x}
  `));
  assert.match(r.failures[0], /startAfterStrict/);
});

Deno.test("publishGlobalCounters sends integer variables under their names", async () => {
  const r = await runToEnd(bench(`
    - main:
      - setInt: ok <- 3
      - set: {var: failed, value: "2"}
      - publishGlobalCounters:
          key: results
          vars: [ok, {errors: failed}]
  `));
  assert.deepEqual(r.ex.globalCounters, [
    { key: "results", name: "ok", value: 3 },
    { key: "results", name: "errors", value: 2 },
  ]);
});
