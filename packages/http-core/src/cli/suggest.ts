/** "Did you mean" for unknown options and commands: the closest candidate within a small edit distance. */

function distance(a: string, b: string): number {
  // Optimal string alignment: a swap of two neighbours counts as one edit ("fromat" → "format").
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => (rows[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `input`: a candidate that starts with the input (a truncated name such
 * as `--fo` for `--format`) wins when it is the only one, then the smallest edit distance up to a
 * third of the input's length; nothing when nothing is close.
 */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  if (input.length === 0) return undefined;
  const prefixed = list.filter((c) => c.startsWith(input));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(input.length / 3));
  for (const candidate of list) {
    const d = distance(input, candidate);
    if (d < bestDistance || (best === undefined && d <= bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
