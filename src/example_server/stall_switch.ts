/**
 * The switch behind the honest-latency test: during a window every response
 * is held back until the window ends, as a server stuck in a GC pause would.
 */
import { sleep } from "./_respond.ts";

/** A stall window in `performance.now()` milliseconds. */
export interface StallWindow {
  from: number;
  until: number;
}

export class StallSwitch {
  #windows: StallWindow[] = [];

  /**
   * Holds every response that becomes ready between `afterMs` and
   * `afterMs + ms` from now until the end of that window.
   */
  stall(ms: number, afterMs = 0): StallWindow {
    if (!(ms >= 0) || !(afterMs >= 0)) {
      throw new RangeError(
        `Invalid stall of ${ms} ms after ${afterMs} ms: expected non-negative numbers`,
      );
    }
    const from = performance.now() + afterMs;
    const window = { from, until: from + ms };
    this.#windows.push(window);
    return window;
  }

  /** Forgets every window, running or planned. */
  clear(): void {
    this.#windows = [];
  }

  /** How long a response ready now must wait: 0 outside every window. */
  holdMs(): number {
    if (this.#windows.length === 0) return 0;
    const now = performance.now();
    this.#windows = this.#windows.filter((w) => w.until > now);
    let until = now;
    for (const w of this.#windows) if (w.from <= now && w.until > until) until = w.until;
    return until - now;
  }

  /** `response`, once any window covering now has ended (or `signal` aborted). */
  async hold(response: Response, signal: AbortSignal): Promise<Response> {
    for (let ms = this.holdMs(); ms > 0 && !signal.aborted; ms = this.holdMs()) {
      await sleep(ms, signal);
    }
    return response;
  }
}
