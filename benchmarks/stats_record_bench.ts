/**
 * Cost of recording a response: `Statistics.recordResponse` (interval bucket
 * lookup + HDR histogram + status class), and below it the plain histogram,
 * next to hdr-histogram-js's own JS and WebAssembly `recordValue`.
 *
 *   deno run -A benchmarks/stats_record_bench.ts     # prints ns per call
 *   deno bench -A benchmarks/stats_record_bench.ts   # the same loops under Deno.bench
 * @module
 */
import * as hdr from "hdr-histogram-js";
import { Histogram } from "../src/stats/histogram.ts";
import { StatsRegistry } from "../src/stats/recorder.ts";

const CALLS = 1_000_000;
// Log-normal-ish latencies from 50 µs to ~1 s, and some statuses.
const LATENCIES = new Float64Array(4096);
const STATUSES = new Int32Array(4096);
for (let i = 0; i < LATENCIES.length; i++) {
  LATENCIES[i] = 50_000 * Math.exp(Math.random() * Math.random() * 10);
  STATUSES[i] = i % 97 === 0 ? 503 : i % 31 === 0 ? 404 : 200;
}

interface Loop {
  run: () => void;
  /** Untimed work between rounds. */
  after?: () => void;
}

function statisticsLoop(): Loop {
  let now = 0;
  const registry = new StatsRegistry({ nowNs: () => now, timeOriginMs: 1_700_000_000_000 });
  registry.startPhase(0, 0);
  const stats = registry.statistics(0, 1, "bench");
  return {
    run: () => {
      let t = now; // a local: a captured double would be boxed on every write
      for (let i = 0; i < CALLS; i++) {
        const j = i & 4095;
        t += 10_000; // a request every 10 µs: 100k per 1-s bucket
        stats.recordResponse(t, t + LATENCIES[j], STATUSES[j]);
      }
      now = t;
    },
    after: () => registry.collect(), // encode and recycle the finished buckets
  };
}

function histogramLoop(): Loop {
  const h = new Histogram();
  return {
    run: () => {
      for (let i = 0; i < CALLS; i++) h.record(LATENCIES[i & 4095]);
    },
  };
}

function hdrLoop(useWebAssembly: boolean): Loop {
  if (useWebAssembly) hdr.initWebAssemblySync();
  const h = hdr.build({
    bitBucketSize: 32,
    highestTrackableValue: 60_000_000_000,
    numberOfSignificantValueDigits: 2,
    autoResize: false,
    useWebAssembly,
  });
  return {
    run: () => {
      for (let i = 0; i < CALLS; i++) h.recordValue(Math.floor(LATENCIES[i & 4095]));
    },
  };
}

const CASES: [string, () => Loop][] = [
  ["Statistics.recordResponse", statisticsLoop],
  ["Histogram.record", histogramLoop],
  ["hdr-histogram-js JS recordValue", () => hdrLoop(false)],
  ["hdr-histogram-js WASM recordValue", () => hdrLoop(true)],
];

for (const [name, make] of CASES) {
  const loop = make();
  Deno.bench(`${name} × ${CALLS}`, (b) => {
    b.start();
    loop.run();
    b.end();
    loop.after?.();
  });
}

if (import.meta.main) {
  for (const [name, make] of CASES) {
    const loop = make();
    for (let i = 0; i < 5; i++) { // warm up
      loop.run();
      loop.after?.();
    }
    const rounds = 20;
    let elapsed = 0;
    let heapDelta = 0;
    for (let i = 0; i < rounds; i++) {
      const heapBefore = Deno.memoryUsage().heapUsed;
      const t0 = performance.now();
      loop.run();
      elapsed += performance.now() - t0;
      heapDelta += Deno.memoryUsage().heapUsed - heapBefore;
      loop.after?.();
    }
    const ns = (elapsed * 1e6) / (rounds * CALLS);
    console.log(
      `${name.padEnd(36)} ${ns.toFixed(2).padStart(7)} ns/call   heap growth while recording ${
        (heapDelta / (rounds * CALLS)).toFixed(3)
      } B/call`,
    );
  }
}
