/// <reference lib="deno.worker" />
/** Entry point of an executor Worker: commands in, events out. */
import { defaultCompilers } from "../scenario/default_compilers.ts";
import { createExecutorCore } from "./executor.ts";
import type { ExecutorCommand } from "./executor_api.ts";

const send = createExecutorCore({
  compilers: defaultCompilers(),
  emit: (event) => self.postMessage(event),
});
self.onmessage = (m: MessageEvent<ExecutorCommand>) => send(m.data);
