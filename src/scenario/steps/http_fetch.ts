/**
 * `parseHtml.onEmbeddedResource.fetchResource`: the resources a page embeds
 * are queued as the page streams in and fetched by GET requests the session
 * sends itself, at most `concurrency` at a time and `maxResources` queued
 * (more are dropped with a warning, as Hyperfoil's queue does). When the page
 * is complete and every download finished, `onCompletion` runs. Queued and
 * running downloads count in `s.inFlight`, so the session lives until they end.
 */
import type { Resource, SequenceInstance, Session } from "../session.ts";
import { holdSession, releaseSession, wakeSession } from "../session.ts";
import type { ActionFn } from "../session.ts";
import { InstanceRef, type RequestContext, type RequestOwner } from "./http_context.ts";
import type { ContextWaiter, HttpSessionState } from "./http_session.ts";
import type { RequestSpec } from "./http_spec.ts";

export interface FetchConfig {
  readonly spec: RequestSpec;
  readonly maxResources: number;
  readonly concurrency: number;
  readonly onCompletion: readonly ActionFn[];
}

export class FetchQueue implements Resource, RequestOwner, ContextWaiter {
  private state: HttpSessionState | undefined = undefined;
  private s: Session | undefined = undefined;
  private generation = 0;
  private readonly seq = new InstanceRef();
  /** `authority, path` pairs not yet sent, from `head`. */
  private readonly items: string[] = [];
  private head = 0;
  private active = 0;
  private producerDone = true;
  /** A page started and its completion is still to be announced. */
  private armed = false;
  private pumpScheduled = false;
  private warned = false;

  constructor(private readonly config: FetchConfig) {}

  reset(): void {
    this.items.length = 0;
    this.head = this.active = 0;
    this.producerDone = true;
    this.armed = false;
    this.s = undefined;
    this.seq.set(undefined);
  }

  /** A page starts: its resources join the queue. */
  begin(state: HttpSessionState, s: Session, q: SequenceInstance | undefined): void {
    this.state = state;
    if (this.s !== s || this.generation !== s.generation) {
      this.reset();
      this.s = s;
      this.generation = s.generation;
    }
    this.seq.set(q);
    this.producerDone = false;
    this.armed = true;
  }

  push(authority: string, path: string): void {
    const s = this.s;
    if (s === undefined || !this.armed) return;
    if ((this.items.length - this.head) / 2 >= this.config.maxResources) {
      if (!this.warned) {
        this.warned = true;
        s.phase.executor.log(
          "warn",
          `Session #${s.id}: more than ${this.config.maxResources} embedded resources queued, dropping '${path}'`,
        );
      }
      return;
    }
    this.items.push(authority, path);
    s.inFlight++;
    this.schedulePump();
  }

  /** The page is complete: nothing more will be queued. */
  end(): void {
    this.producerDone = true;
    this.schedulePump();
  }

  contextAvailable(): void {
    this.schedulePump();
  }

  childDone(rc: RequestContext): void {
    this.active--;
    const s = this.s;
    if (s !== undefined && s.generation === this.generation) s.inFlight--;
    this.state?.pool.release(rc);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Sends leave the response callback that found the resource first.
    queueMicrotask(this.pump);
  }

  private readonly pump = (): void => {
    this.pumpScheduled = false;
    const s = this.s;
    if (s === undefined || s.generation !== this.generation) return;
    const held = holdSession(s);
    try {
      this.send(s);
    } finally {
      releaseSession(s, held);
    }
  };

  private send(s: Session): void {
    const state = this.state!;
    const ex = s.phase.executor;
    while (this.active < this.config.concurrency && this.head < this.items.length) {
      const rc = state.pool.take();
      if (rc === undefined) {
        state.waitForContext(this);
        break;
      }
      const authority = this.items[this.head];
      const path = this.items[this.head + 1];
      this.head += 2;
      const client = ex.http(authority);
      if (client === undefined) {
        state.pool.release(rc);
        s.inFlight--;
        ex.log(
          "warn",
          `Session #${s.id}: no HTTP endpoint for '${authority}', not fetching '${path}'`,
        );
        continue;
      }
      this.active++;
      if (rc.begin(this.config.spec, s, this.seq.get(), client, path, this)) rc.completeFromCache();
      else rc.dispatch();
      if (s.stopped) return; // a download stopped the session
    }
    if (this.head >= this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    if (this.armed && this.producerDone && this.active === 0 && this.items.length === 0) {
      this.armed = false;
      const q = this.seq.get();
      for (const a of this.config.onCompletion) a(s, q);
      wakeSession(s);
    }
  }
}
