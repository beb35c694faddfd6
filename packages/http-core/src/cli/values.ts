/** Converts option text (command line or environment) into typed values, with messages users can act on. */
import { MAX_TIMER_DELAY_IN_MS } from '../clock.js';

/**
 * How an option's text is converted: `duration` accepts a number with a unit (`500ms`, `30s`,
 * `5m`; a bare number is milliseconds) and gives milliseconds; `list` splits on commas. See {@link OptionTypeMap}.
 */
export type OptionType = 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'list';

/** The value an option of each type holds after parsing (durations in milliseconds). */
export interface OptionTypeMap {
  string: string;
  number: number;
  integer: number;
  boolean: boolean;
  duration: number;
  list: string[];
}

/** What a conversion checks besides the type. */
export interface ValueRules {
  choices?: readonly string[] | undefined;
  min?: number | undefined;
  max?: number | undefined;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
const UNIT_IN_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** `500ms`, `30s`, `5m`, `1h30m`, `2d`, or a bare number of milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (trimmed === '') return undefined;
  DURATION_PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let match = DURATION_PART.exec(trimmed); match !== null; match = DURATION_PART.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_IN_MS[match[2] as string] as number);
    end = DURATION_PART.lastIndex;
  }
  return end === trimmed.length ? total : undefined;
}

/** `label` names the source in messages: `--limit` or `COMAP_LIMIT`; `fail` builds the error to throw. */
export function convertValue<T extends OptionType>(type: T, text: string, label: string, rules: ValueRules, fail: (message: string) => Error): OptionTypeMap[T] {
  const got = `got ${quote(text)}`;
  const value = convert(type, text, label, got, fail);
  if (typeof value === 'number') checkRange(value, label, rules, got, fail);
  if (rules.choices !== undefined) {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (!rules.choices.includes(String(item))) throw fail(`${label} must be one of ${rules.choices.join(', ')}, got ${quote(String(item))}`);
    }
  }
  return value as OptionTypeMap[T];
}

function convert(type: OptionType, text: string, label: string, got: string, fail: (message: string) => Error): OptionTypeMap[OptionType] {
  switch (type) {
    case 'string':
      return text;
    case 'number':
      if (!NUMBER.test(text.trim()) || !Number.isFinite(Number(text))) throw fail(`${label} must be a number, ${got}`);
      return Number(text);
    case 'integer':
      if (!INTEGER.test(text.trim()) || !Number.isSafeInteger(Number(text))) throw fail(`${label} must be an integer, ${got}`);
      return Number(text);
    case 'boolean': {
      const lower = text.trim().toLowerCase();
      if (TRUE.has(lower)) return true;
      if (FALSE.has(lower)) return false;
      throw fail(`${label} must be true or false, ${got}`);
    }
    case 'duration': {
      const ms = parseDuration(text);
      if (ms === undefined) throw fail(`${label} must be a duration such as 500ms, 30s, 5m or 1h, ${got}`);
      if (ms > MAX_TIMER_DELAY_IN_MS) throw fail(`${label} must be at most ${MAX_TIMER_DELAY_IN_MS}ms (about 24.8 days), ${got}`);
      return ms;
    }
    case 'list':
      return text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
  }
}

function checkRange(value: number, label: string, rules: ValueRules, got: string, fail: (message: string) => Error): void {
  if (rules.min !== undefined && value < rules.min) throw fail(`${label} must be at least ${rules.min}, ${got}`);
  if (rules.max !== undefined && value > rules.max) throw fail(`${label} must be at most ${rules.max}, ${got}`);
}

/** Single quotes as in the messages users read (`got 'abc'`); control characters escaped. */
export function quote(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `'${JSON.stringify(shown).slice(1, -1).replace(/\\"/g, '"')}'`;
}
