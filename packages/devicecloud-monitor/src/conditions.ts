/**
 * Builder for the `/ws/Monitor?condition=` language: `name='v'`, `name<'v'`, `name>'v'`,
 * `name like 'v%'`, joined with `and` / `or`. Values are always single-quoted with embedded quotes
 * doubled, dates are ISO-8601 UTC, and a group of one operator inside the other is parenthesised,
 * so `a.and(b.or(c))` compiles to `a and (b or c)` instead of losing its grouping.
 */

export type ConditionValue = string | number | boolean | bigint | Date;

/** A monitor condition built with `attribute()`, `and()` and `or()`; immutable, combine freely. */
export interface Condition {
  /** The condition text as the server expects it. */
  compile(): string;
  /** This condition and all of `others` (throws TypeError for a condition not built by this module). */
  and(...others: Condition[]): Condition;
  /** This condition or any of `others` (throws TypeError for a condition not built by this module). */
  or(...others: Condition[]): Condition;
  /** Same as `compile()`. */
  toString(): string;
}

type Node =
  | { kind: 'cmp'; name: string; op: '=' | '<' | '>' | ' like '; value: string }
  | { kind: 'and' | 'or'; children: Node[] };

const NODE = Symbol('condition-node');

/** ISO-8601 UTC; whole seconds drop the `.000` (as the reference vectors do). */
export function formatConditionDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('condition value is an invalid Date');
  return date.toISOString().replace('.000Z', 'Z');
}

/** Quotes a value for the condition language (`'` doubled inside). */
export function quoteConditionValue(value: ConditionValue): string {
  let text: string;
  if (value instanceof Date) text = formatConditionDate(value);
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('condition value must be a finite number');
    text = String(value);
  } else if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else throw new TypeError('condition value must be a string, number, boolean, bigint or Date');
  return `'${text.replace(/'/g, "''")}'`;
}

function render(node: Node, parent?: 'and' | 'or'): string {
  if (node.kind === 'cmp') return `${node.name}${node.op}${node.value}`;
  const text = node.children.map((c) => render(c, node.kind)).join(` ${node.kind} `);
  return parent !== undefined && parent !== node.kind && node.children.length > 1 ? `(${text})` : text;
}

function nodeOf(c: Condition): Node {
  const node = (c as unknown as { [NODE]?: Node })[NODE];
  if (node === undefined) throw new TypeError('condition must be built with this module (attribute(), and(), or())');
  return node;
}

function join(kind: 'and' | 'or', conditions: Condition[]): Condition {
  if (conditions.length === 0) throw new RangeError(`${kind}() needs at least one condition`);
  const children = conditions.flatMap((c) => {
    const n = nodeOf(c);
    return n.kind === kind ? n.children : [n];
  });
  return make(children.length === 1 ? (children[0] as Node) : { kind, children });
}

function make(node: Node): Condition {
  const condition: Condition & { [NODE]: Node } = {
    [NODE]: node,
    compile: () => render(node),
    and: (...others) => join('and', [condition, ...others]),
    or: (...others) => join('or', [condition, ...others]),
    toString: () => render(node),
  };
  return condition;
}

/** All conditions must hold. */
export const and = (...conditions: Condition[]): Condition => join('and', conditions);
/** At least one condition must hold. */
export const or = (...conditions: Condition[]): Condition => join('or', conditions);

/** A monitor attribute, from `attribute(name)`: comparisons that make conditions. */
export interface Attribute {
  readonly name: string;
  /** `name='value'`. Throws RangeError for a non-finite number or an invalid Date, TypeError for another type. */
  eq(value: ConditionValue): Condition;
  /** `name<'value'` (throws like `eq`). */
  lt(value: ConditionValue): Condition;
  /** `name>'value'` (throws like `eq`). */
  gt(value: ConditionValue): Condition;
  /** SQL-style pattern: `%` any run of characters, `_` one character. */
  like(pattern: string): Condition;
}

/** A monitor attribute usable in conditions. */
export function attribute(name: string): Attribute {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) {
    throw new TypeError('attribute name must be an identifier (letters, digits, "_", ".")');
  }
  const cmp = (op: '=' | '<' | '>' | ' like ', value: ConditionValue) => make({ kind: 'cmp', name, op, value: quoteConditionValue(value) });
  return {
    name,
    eq: (v) => cmp('=', v),
    lt: (v) => cmp('<', v),
    gt: (v) => cmp('>', v),
    like: (pattern) => {
      if (typeof pattern !== 'string') throw new TypeError('like pattern must be a string');
      return cmp(' like ', pattern);
    },
  };
}

/** Every `<Monitor>` attribute, predefined. */
export const MonitorFields = {
  monId: attribute('monId'),
  cstId: attribute('cstId'),
  monTopic: attribute('monTopic'),
  monFormatType: attribute('monFormatType'),
  monTransportType: attribute('monTransportType'),
  monTransportUrl: attribute('monTransportUrl'),
  monTransportToken: attribute('monTransportToken'),
  monTransportMethod: attribute('monTransportMethod'),
  monTransportHeaders: attribute('monTransportHeaders'),
  monConnectTimeout: attribute('monConnectTimeout'),
  monResponseTimeout: attribute('monResponseTimeout'),
  monAckOption: attribute('monAckOption'),
  monBatchSize: attribute('monBatchSize'),
  monBatchDuration: attribute('monBatchDuration'),
  monCompression: attribute('monCompression'),
  monAutoReplayOnConnect: attribute('monAutoReplayOnConnect'),
  monDescription: attribute('monDescription'),
  monSchemaType: attribute('monSchemaType'),
  monLastConnect: attribute('monLastConnect'),
  monLastSent: attribute('monLastSent'),
  monLastSentUuid: attribute('monLastSentUuid'),
  monStatus: attribute('monStatus'),
} as const;
