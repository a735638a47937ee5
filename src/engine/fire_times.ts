/**
 * When open-model sessions start: precomputed from the phase start, whatever
 * happened to earlier sessions ("time is the schedule's"). Offsets are ns
 * from the phase start. Poisson arrivals use exponential gaps; ramps map
 * the arrival count through the inverse of the cumulative rate.
 */

export interface FireTimes {
  /** Offset (ns) of the next arrival; Infinity when the model has no more. */
  next(): number;
}

export interface RateModel {
  /** users/s at the start. */
  initial: number;
  /** users/s at the end of `durationNs` (= initial for constant rates). */
  target: number;
  durationNs: number;
  /** Poisson arrivals (true) or evenly spaced (false). */
  variance: boolean;
  random?: () => number;
}

/** Arrival offsets for a constant or linearly changing rate. */
export function fireTimes(m: RateModel): FireTimes {
  const random = m.random ?? Math.random;
  const r0 = m.initial / 1e9, r1 = m.target / 1e9; // per ns
  const d = m.durationNs;
  // Cumulative arrivals N(t) = r0 t + (r1 - r0) t² / 2d; solve N(t) = n for t.
  const slope = d > 0 ? (r1 - r0) / d : 0;
  const inverse = (n: number): number => {
    if (Math.abs(slope) < 1e-30) return r0 > 0 ? n / r0 : Infinity;
    const disc = r0 * r0 + 2 * slope * n;
    if (disc < 0) return Infinity; // a decreasing rate ran out before n arrivals
    return (-r0 + Math.sqrt(disc)) / slope;
  };
  // Poisson: cumulative sums of Exp(1) gaps. Evenly spaced: arrivals 0, 1, 2… (from 1 when
  // the rate starts at 0, so the first arrival is not at an instant with no rate).
  let n = m.variance || r0 > 0 ? 0 : 1;
  let first = true;
  return {
    next() {
      if (m.variance) n += -Math.log(1 - random());
      else if (!first) n += 1;
      first = false;
      return inverse(n);
    },
  };
}
