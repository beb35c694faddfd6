// Shared by the fleet benchmarks: medians, percentiles, number formatting, rotated rounds and the
// machine line every report starts with.
import { availableParallelism, cpus, loadavg } from 'node:os';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The p-th percentile (0..100) of `xs`, nearest rank. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Runs every variant once per round, the order rotated each round so drift on a shared machine hits all alike. */
export async function rounds(count, variants) {
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const names = Object.keys(variants);
  for (let round = 0; round < count; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      results[name].push(await variants[name](round));
    }
  }
  return results;
}

/** Rate (per second) and this process' CPU time per item (µs) of `fn` handling `items` items. */
export async function measure(items, fn) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { rate: items / seconds, cpuUs: (used.user + used.system) / items };
}

export function machineLine(what) {
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  return `${what}, ${new Date().toISOString().slice(0, 16)}Z, node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? '?'}), load average ${load} (shared machine: compare ratios within a run)`;
}

/** `--name value` from argv, else `fallback`. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
