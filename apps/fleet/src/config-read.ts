// Small readers for untrusted configuration objects: each names the offending path and never
// echoes a secret's value.
import { ConfigError as CliConfigError } from '@x/http-core/cli';

/** Every problem of one configuration source; the CLI kit's ConfigError, so `fleet` exits 78. */
export class ConfigError extends CliConfigError {
  readonly issues: string[];
  constructor(source: string, issues: string[]) {
    super(`invalid configuration (${source}):\n  - ${issues.join('\n  - ')}`);
    this.issues = issues;
  }
}

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown, secret: boolean): string {
  if (secret) return '(hidden)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Collects issues while reading one object; `path` prefixes every message. */
export class Reader {
  readonly issues: string[];
  readonly obj: Obj;
  readonly path: string;
  /** Keys whose values are never shown in an issue (the registry's secret fields). */
  readonly secretKeys: ReadonlySet<string>;

  constructor(obj: Obj, path: string, issues: string[], secretKeys: readonly string[] = []) {
    this.obj = obj;
    this.path = path;
    this.issues = issues;
    this.secretKeys = new Set(secretKeys);
  }

  static of(value: unknown, path: string, issues: string[], secretKeys: readonly string[] = []): Reader | undefined {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      issues.push(`${path}: expected an object, got ${show(value, false)}`);
      return undefined;
    }
    return new Reader(value, path, issues, secretKeys);
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** Reports keys this reader does not know (typos should not pass silently). */
  only(keys: readonly string[]): this {
    for (const key of Object.keys(this.obj)) {
      if (!keys.includes(key)) this.issues.push(`${this.at(key)}: unknown setting (known: ${keys.join(', ')})`);
    }
    return this;
  }

  child(key: string, secretKeys: readonly string[] = []): Reader | undefined {
    return Reader.of(this.obj[key], this.at(key), this.issues, secretKeys);
  }

  string(key: string, opts: { secret?: boolean; pattern?: RegExp; hint?: string } = {}): string | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    const secret = opts.secret === true || this.secretKeys.has(key);
    if (typeof v !== 'string' || v.length === 0) {
      this.issues.push(`${this.at(key)}: expected a non-empty string, got ${show(v, secret)}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      this.issues.push(`${this.at(key)}: expected ${opts.hint ?? opts.pattern.source}, got ${show(v, secret)}`);
      return undefined;
    }
    return v;
  }

  requiredString(key: string, opts: { secret?: boolean; pattern?: RegExp; hint?: string } = {}): string {
    const v = this.string(key, opts);
    if (v === undefined && this.obj[key] === undefined) this.issues.push(`${this.at(key)}: required`);
    return v ?? '';
  }

  url(key: string, protocols: readonly string[]): string | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(v);
    } catch {
      this.issues.push(`${this.at(key)}: expected a URL, got ${show(v, false)}`);
      return undefined;
    }
    if (!protocols.includes(parsed.protocol)) {
      this.issues.push(`${this.at(key)}: expected a ${protocols.join(' or ')} URL, got ${parsed.protocol}`);
      return undefined;
    }
    return v;
  }

  integer(key: string, min: number, max: number): number | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.issues.push(`${this.at(key)}: expected an integer from ${min} to ${max}, got ${show(v, false)}`);
      return undefined;
    }
    return v;
  }

  boolean(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.issues.push(`${this.at(key)}: expected true or false, got ${show(v, false)}`);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.issues.push(`${this.at(key)}: expected one of ${values.join(', ')}, got ${show(v, false)}`);
      return undefined;
    }
    return v as T;
  }

  stringArray(key: string): string[] | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0)) {
      this.issues.push(`${this.at(key)}: expected an array of non-empty strings`);
      return undefined;
    }
    return v as string[];
  }
}
