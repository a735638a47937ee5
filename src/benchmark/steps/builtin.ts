/**
 * The built-in registry: every Hyperfoil step, action and processor. Actions
 * are registered once and serve as steps and processors through `lookup`.
 */
import { emptyRegistry, type Registry } from "../registry.ts";
import type { Shape } from "../shape.ts";
import { asAny } from "./_common.ts";
import { addItem, getIndex, getItem, getSize, removeItem, setItem } from "./collections.ts";
import {
  breakSequence,
  conditional,
  fail,
  foreach,
  loop,
  newSequence,
  nextSequence,
  noProps,
} from "./control_flow.ts";
import {
  addToInt,
  divide,
  log,
  randomCsvRow,
  randomFile,
  randomInt,
  randomItem,
  randomUUID,
  set,
  setInt,
  stringToInt,
  template,
  unset,
} from "./generators.ts";
import { hotrodRequest, httpRequest } from "./http_request.ts";
import {
  array,
  collection,
  conditionalProcessor,
  count,
  gzipInflator,
  jsonProcessor,
  jsonStep,
  parseHtml,
  queue,
  simple,
  store,
  storeInt,
} from "./processors.ts";
import {
  addToSharedCounter,
  getSharedCounter,
  publishAgentData,
  publishGlobalCounters,
  pullSharedMap,
  pushSharedMap,
  readAgentData,
  setSharedCounter,
} from "./shared_data.ts";
import {
  awaitDelay,
  awaitInt,
  awaitVar,
  scheduleDelay,
  stopwatch,
  thinkTime,
  timestamp,
} from "./timing.ts";

type Factories = Record<string, () => Shape<unknown>>;

/** Usable as steps, actions (`onCompletion`, `onBreak`, …) and processors. */
const ACTIONS: Factories = {
  addItem,
  addToInt,
  addToSharedCounter,
  clearHttpCache: () => noProps("clearHttpCache"),
  conditional,
  fail,
  getIndex,
  getItem,
  getSharedCounter,
  getSize,
  log,
  markRequestInvalid: () => noProps("markRequestInvalid"),
  newSequence,
  publishAgentData,
  publishGlobalCounters,
  readAgentData,
  removeItem,
  restartSequence: () => noProps("restartSequence"),
  set,
  setInt,
  setItem,
  setSharedCounter,
  stringToInt,
  unset,
};

/** Only usable as steps (they may block, or only make sense in a sequence). */
const STEPS: Factories = {
  awaitAllResponses: () => noProps("awaitAllResponses"),
  awaitDelay,
  awaitInt,
  awaitVar,
  breakIfFinished: () => noProps("breakIfFinished"),
  breakSequence,
  // Hyperfoil's example of a custom step, used by the shipped `divide.hf.yaml`.
  divide,
  foreach,
  hotrodRequest,
  httpRequest,
  json: jsonStep,
  loop,
  nextSequence,
  noop: () => noProps("noop"),
  pullSharedMap,
  pushSharedMap,
  randomCsvRow,
  randomFile,
  randomInt,
  randomItem,
  randomUUID,
  scheduleDelay,
  stop: () => noProps("stop"),
  stopwatch,
  template,
  thinkTime,
  timestamp,
};

/** Only usable as processors (they consume data). */
const PROCESSORS: Factories = {
  array,
  closeConnection: () => noProps("closeConnection"),
  collection,
  conditional: conditionalProcessor,
  count,
  gzipInflator,
  json: jsonProcessor,
  logInvalid: () => noProps("logInvalid"),
  parseHtml,
  queue,
  simple,
  store,
  storeInt,
};

/** A fresh registry with all built-in steps, actions and processors. */
export function defaultRegistry(): Registry {
  const reg = emptyRegistry();
  for (const [name, make] of Object.entries(ACTIONS)) reg.actions.set(name, asAny(make()));
  for (const [name, make] of Object.entries(STEPS)) reg.steps.set(name, asAny(make()));
  for (const [name, make] of Object.entries(PROCESSORS)) reg.processors.set(name, asAny(make()));
  return reg;
}
