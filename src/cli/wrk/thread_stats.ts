/**
 * What each executor thread recorded for one phase. wrk prints per-thread
 * figures (`Req/Sec`) and a latency distribution; the controller's totals
 * merge threads and keep only five percentiles, so the façade listens to the
 * executors' own delta snapshots on their way to the agent, without changing
 * what the run records.
 * @module
 */
import type { CreateExecutor } from "../../agent/agent.ts";
import type { ExecutorEvent } from "../../engine/executor_api.ts";
import { Histogram } from "../../stats/histogram.ts";
import type { StatsSnapshot } from "../../stats/snapshot.ts";

/** One collection period of one thread. */
export interface ThreadPeriod {
  thread: number;
  sequenceId: number;
  /** Epoch ms; the last period ends at the phase end. */
  start: number;
  end: number;
  requestCount: number;
  responseCount: number;
}

export interface ThreadStatsOptions {
  /** Id of the phase to keep (`Benchmark.phases[i].id`). */
  phaseId: number;
  /** Called once, when the first executor reports any phase RUNNING. */
  onRunning?: () => void;
}

/** Collects one phase's snapshots from every executor created through {@link ThreadStats.wrap}. */
export class ThreadStats {
  private readonly snapshots: { thread: number; snapshot: StatsSnapshot }[] = [];
  private running = false;

  constructor(private readonly options: ThreadStatsOptions) {}

  /** The same engine, with every executor's events observed on their way to the agent. */
  wrap(createExecutor: CreateExecutor): CreateExecutor {
    return (threadIndex) => {
      const handle = createExecutor(threadIndex);
      return {
        send: (command) => handle.send(command),
        dispose: () => handle.dispose(),
        onEvent: (handler) =>
          handle.onEvent((event) => {
            this.observe(threadIndex, event);
            handler(event);
          }),
      };
    };
  }

  private observe(thread: number, event: ExecutorEvent): void {
    if (event.type === "phaseStatus" && event.status === "RUNNING" && !this.running) {
      this.running = true;
      this.options.onRunning?.();
    } else if (event.type === "stats") {
      for (const snapshot of event.snapshots) {
        if (snapshot.phase === this.options.phaseId) this.snapshots.push({ thread, snapshot });
      }
    }
  }

  /** Response times of every thread, merged exactly (ns). */
  histogram(): Histogram {
    const h = new Histogram();
    for (const { snapshot } of this.snapshots) h.add(Histogram.decode(snapshot.histogram));
    return h;
  }

  /** Periods per thread, in order; late snapshots of a period are summed into it. */
  periods(): ThreadPeriod[] {
    const byKey = new Map<string, ThreadPeriod>();
    for (const { thread, snapshot: s } of this.snapshots) {
      const key = `${thread}:${s.sequenceId}`;
      const p = byKey.get(key);
      if (p === undefined) {
        byKey.set(key, {
          thread,
          sequenceId: s.sequenceId,
          start: s.start,
          end: s.end,
          requestCount: s.requestCount,
          responseCount: s.responseCount,
        });
      } else {
        p.start = Math.min(p.start, s.start);
        p.end = Math.max(p.end, s.end);
        p.requestCount += s.requestCount;
        p.responseCount += s.responseCount;
      }
    }
    return [...byKey.values()].sort((a, b) => a.thread - b.thread || a.sequenceId - b.sequenceId);
  }
}
