/**
 * Executors for an agent: thread 0 runs on the agent's own event loop; every
 * further thread is a Web Worker with its own loop, connections and sessions.
 * Both speak the same plain-data commands and events.
 */
import { defaultCompilers } from "../scenario/default_compilers.ts";
import { createExecutorCore } from "./executor.ts";
import type { ExecutorCommand, ExecutorEvent, ExecutorHandle } from "./executor_api.ts";

export function createExecutor(threadIndex: number): ExecutorHandle {
  return threadIndex === 0 ? inThreadExecutor() : workerExecutor();
}

/** An executor on the calling thread's event loop. */
export function inThreadExecutor(): ExecutorHandle {
  let handler: ((e: ExecutorEvent) => void) | undefined;
  const backlog: ExecutorEvent[] = [];
  let disposed = false;
  const send = createExecutorCore({
    compilers: defaultCompilers(),
    emit(event) {
      if (disposed) return;
      // Events are delivered asynchronously, as from a Worker, so callers see one behaviour.
      queueMicrotask(() => {
        if (disposed) return;
        if (handler) handler(event);
        else backlog.push(event);
      });
    },
  });
  return {
    send: (c) => {
      if (!disposed) send(c);
    },
    onEvent(h) {
      handler = h;
      for (const e of backlog.splice(0)) h(e);
    },
    dispose() {
      disposed = true;
    },
  };
}

/** An executor in a Web Worker. */
export function workerExecutor(): ExecutorHandle {
  const worker = new Worker(new URL("./executor_worker.ts", import.meta.url).href, {
    type: "module",
  });
  let handler: ((e: ExecutorEvent) => void) | undefined;
  const backlog: ExecutorEvent[] = [];
  let disposed = false;
  worker.onmessage = (m: MessageEvent<ExecutorEvent>) => {
    if (handler) handler(m.data);
    else backlog.push(m.data);
  };
  worker.onerror = (e) => {
    e.preventDefault();
    const ev: ExecutorEvent = {
      type: "log",
      level: "error",
      message: `Executor worker failed: ${e.message}`,
    };
    if (handler) handler(ev);
    else backlog.push(ev);
  };
  return {
    send: (c: ExecutorCommand) => {
      if (!disposed) worker.postMessage(c);
    },
    onEvent(h) {
      handler = h;
      for (const e of backlog.splice(0)) h(e);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      worker.terminate();
    },
  };
}
