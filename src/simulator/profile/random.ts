/** mulberry32: a small seeded PRNG, uniform in [0, 1). The same seed gives the same draws. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A latency: a log-normal around `median`, clamped to [min, max] (max is about its 99th percentile). */
export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** A standard normal draw (Box-Muller). */
function normal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** One draw of `spread`: log-normal with the given median and max as its 99th percentile, clamped. */
export function draw(spread: Spread, random: () => number): number {
  const { min, median, max } = spread;
  if (max <= min || median <= 0) return Math.min(Math.max(median, min), max);
  // z(0.99) = 2.326: max is reached about once in a hundred draws, then clamped.
  const sigma = Math.log(Math.max(max / median, 1.0001)) / 2.326;
  const value = median * Math.exp(sigma * normal(random));
  return Math.min(Math.max(value, min), max);
}
