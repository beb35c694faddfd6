/**
 * The v1 monitor inventory (`GET /ws/v1/monitors/inventory`, `GET /ws/v1/monitors/inventory/{id}`).
 * The paths and the v1 `query` language are Digi's documentation (v1/monitors, "v1 API Query
 * Language"); the item field names (`id`, `type`, `topics`, `description`, `format`, `persistent`,
 * `batch_size`, `batch_duration`, `schema_type`, `schema`, `status`) come from public programs that
 * call this API, not from Digi's pages: verified against the simulator only, so every item also
 * keeps its `raw` JSON.
 */

/** Filter and page size of an inventory read. */
export interface MonitorInventoryQuery {
  /** A v1 query, e.g. `type='tcp' and description startsWith 'plant'` (passed as given). */
  query?: string;
  /** Monitors per request (default 1000, the v1 API's largest page). */
  pageSize?: number;
}

/** One monitor as the v1 inventory describes it (fields missing from the answer are undefined). */
export interface MonitorInventoryItem {
  id: number;
  /** Transport: `tcp`, `http` or `polling`. */
  type: string | undefined;
  topics: string[];
  status: string | undefined;
  description: string | undefined;
  /** Event format: `json` or `xml`. */
  format: string | undefined;
  /** Events saved (replay, history) when true. */
  persistent: boolean | undefined;
  batchSize: number | undefined;
  batchDuration: number | undefined;
  /** `handlebars` when the monitor delivers templated output. */
  schemaType: string | undefined;
  schema: string | undefined;
  /** The item as the server sent it. */
  raw: Record<string, unknown>;
}

const MAX_PAGE = 1000;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The query string of an inventory read, checked. */
export function inventoryParams(query: MonitorInventoryQuery): Record<string, string | number> {
  if (typeof query !== 'object' || query === null) throw new TypeError('query must be an object');
  const size = query.pageSize ?? MAX_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) throw new RangeError(`query.pageSize must be an integer 1..${MAX_PAGE}`);
  if (query.query !== undefined && (typeof query.query !== 'string' || query.query.trim() === '')) throw new TypeError('query.query must be a non-empty string');
  return { size, ...(query.query !== undefined ? { query: query.query } : {}) };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

function topicList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((t): t is string => typeof t === 'string');
  return typeof v === 'string' ? v.split(',').filter((t) => t !== '') : [];
}

/** An inventory item, typed; undefined when it has no integer `id`. */
export function toInventoryItem(raw: unknown): MonitorInventoryItem | undefined {
  if (!isObj(raw)) return undefined;
  const id = count(raw.id);
  if (id === undefined || !Number.isInteger(id)) return undefined;
  const persistent = raw.persistent === true || raw.persistent === 'true' ? true : raw.persistent === false || raw.persistent === 'false' ? false : undefined;
  return {
    id,
    type: text(raw.type),
    topics: topicList(raw.topics),
    status: text(raw.status),
    description: text(raw.description),
    format: text(raw.format),
    persistent,
    batchSize: count(raw.batch_size),
    batchDuration: count(raw.batch_duration),
    schemaType: text(raw.schema_type),
    schema: text(raw.schema),
    raw,
  };
}

/** An inventory answer (the v1 envelope `{ count, size, cursor?, list }`); undefined when it is not one or an item has no id. */
export function inventoryPage(body: unknown): { items: MonitorInventoryItem[]; cursor: string | undefined } | undefined {
  if (!isObj(body) || !Array.isArray(body.list)) return undefined;
  const items: MonitorInventoryItem[] = [];
  for (const raw of body.list) {
    const item = toInventoryItem(raw);
    if (!item) return undefined;
    items.push(item);
  }
  return { items, cursor: typeof body.cursor === 'string' && body.cursor !== '' ? body.cursor : undefined };
}
