/** Reconnect delays: exponential with jitter and a cap, validated user options. */

export interface ReconnectOptions {
  /** First delay before jitter (default 1000 ms). */
  initialDelayInMs?: number;
  /** Cap (default 60 000 ms). */
  maxDelayInMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** `full`: uniform [0, d); `equal`: d/2 + uniform [0, d/2); `none`: d (default `full`). */
  jitter?: 'full' | 'equal' | 'none';
}

export interface ReconnectBackoff {
  next(): number;
  reset(): void;
  readonly attempt: number;
}

export function createReconnectBackoff(options: ReconnectOptions, random: () => number): ReconnectBackoff {
  const initial = options.initialDelayInMs ?? 1000;
  const max = options.maxDelayInMs ?? 60_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 'full';
  for (const [name, v] of [['reconnect.initialDelayInMs', initial], ['reconnect.maxDelayInMs', max]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${name} must be a finite number >= 0`);
  }
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) throw new RangeError('reconnect.factor must be a finite number >= 1');
  if (jitter !== 'full' && jitter !== 'equal' && jitter !== 'none') throw new RangeError('reconnect.jitter must be full, equal or none');
  let attempt = 0;
  return {
    next() {
      attempt += 1;
      const d = Math.min(max, initial * factor ** (attempt - 1));
      if (jitter === 'none') return Math.floor(d);
      if (jitter === 'equal') return Math.floor(d / 2 + random() * (d / 2));
      return Math.floor(random() * d);
    },
    reset() {
      attempt = 0;
    },
    get attempt() {
      return attempt;
    },
  };
}
