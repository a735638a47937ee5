/** What the example server counts: requests per route, responses per status, named events. */

/** A JSON-friendly copy of the counts, as `GET /admin/stats` returns it. */
export interface ExampleServerStats {
  /** Requests received, admin requests excluded. */
  requests: number;
  /** Requests per route pattern (`/hello`, `/status/:code`, `(not found)`…). */
  routes: Record<string, number>;
  /** Responses per status code. */
  statuses: Record<string, number>;
  /** Route-specific events, e.g. `redirects` and `notFound` of the redirect test routes. */
  counters: Record<string, number>;
}

/** Counters owned by one server; reset by `POST /admin/reset`. */
export class RequestStats {
  #requests = 0;
  #routes = new Map<string, number>();
  #statuses = new Map<number, number>();
  #counters = new Map<string, number>();

  /** Counts a request that matched `route`. */
  request(route: string): void {
    this.#requests++;
    this.#routes.set(route, (this.#routes.get(route) ?? 0) + 1);
  }

  /** Counts a response with `status`. */
  response(status: number): void {
    this.#statuses.set(status, (this.#statuses.get(status) ?? 0) + 1);
  }

  /** Adds one to the named counter. */
  count(counter: string): void {
    this.#counters.set(counter, (this.#counters.get(counter) ?? 0) + 1);
  }

  reset(): void {
    this.#requests = 0;
    this.#routes.clear();
    this.#statuses.clear();
    this.#counters.clear();
  }

  snapshot(): ExampleServerStats {
    return {
      requests: this.#requests,
      routes: Object.fromEntries(this.#routes),
      statuses: Object.fromEntries(
        [...this.#statuses].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v]),
      ),
      counters: Object.fromEntries(this.#counters),
    };
  }
}
