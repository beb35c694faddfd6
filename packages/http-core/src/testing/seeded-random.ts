import type { RandomSource } from '../clock.js';

/**
 * A seeded random source (mulberry32): the same seed gives the same numbers in [0, 1) on every run,
 * so a randomized fault schedule in a soak test can be replayed from its seed.
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isInteger(seed)) throw new TypeError(`seededRandom: seed must be an integer, got ${String(seed)}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
