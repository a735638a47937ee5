/** The in-process bus: a pair of connected endpoints, delivering asynchronously and in order. */
import type {
  AgentMessage,
  AgentSide,
  BusEndpoint,
  ControllerMessage,
  ControllerSide,
} from "./messages.ts";

interface Half<Out, In> extends BusEndpoint<Out, In> {
  deliver(message: In): void;
  closed(reason: string): void;
}

function half<Out, In>(peer: () => Half<In, Out>): Half<Out, In> {
  let receiver: ((m: In) => void) | undefined;
  let closer: ((reason: string) => void) | undefined;
  const backlog: In[] = [];
  let open = true;
  return {
    send(message) {
      if (!open) return;
      // A structured clone keeps both sides honest: nothing shared but data.
      const copy = structuredClone(message);
      queueMicrotask(() => peer().deliver(copy));
    },
    onMessage(handler) {
      receiver = handler;
      for (const m of backlog.splice(0)) handler(m);
    },
    onClose(handler) {
      closer = handler;
    },
    close(reason = "closed") {
      if (!open) return;
      open = false;
      queueMicrotask(() => peer().closed(reason));
    },
    deliver(message) {
      if (!open) return;
      if (receiver) receiver(message);
      else backlog.push(message);
    },
    closed(reason) {
      if (!open) return;
      open = false;
      closer?.(reason);
    },
  };
}

/** A connected pair: what the controller holds and what the agent holds. */
export function memoryBus(): { controller: ControllerSide; agent: AgentSide } {
  const controller: Half<ControllerMessage, AgentMessage> = half(() => agent);
  const agent: Half<AgentMessage, ControllerMessage> = half(() => controller);
  return { controller, agent };
}
