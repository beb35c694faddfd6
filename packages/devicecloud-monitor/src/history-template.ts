/**
 * Templated monitor history: `GET /ws/v1/monitors/history/{id}?schema=<template>`. Digi's monitors
 * tutorial documents the `schema` parameter (a Handlebars template applied on the fly, without
 * changing the monitor) and the result in the answer's `output` field; that `output` is one text
 * per page, rendered over the page's events, and that the page keeps `cursor` as without a
 * template, is this client's reading, verified against the simulator only.
 */

/** One page of templated history: the rendered text and the cursor of the next page, if any. */
export interface MonitorHistoryOutputPage {
  /** The template's output for this page's events. */
  output: string;
  /** Events the page covered, when the server says (`count`). */
  count: number | undefined;
  /** Pass as `cursor` to read on; undefined on the last page. */
  cursor: string | undefined;
}

/** Largest template accepted, in characters (a query parameter: keep the URL sane). */
export const MAX_SCHEMA_LENGTH = 16_384;

/** `schema` checked: a non-empty template of at most MAX_SCHEMA_LENGTH characters. */
export function checkSchema(schema: unknown): string {
  if (typeof schema !== 'string' || schema.trim() === '') throw new TypeError('schema must be a non-empty template string');
  if (schema.length > MAX_SCHEMA_LENGTH) throw new RangeError(`schema must be at most ${MAX_SCHEMA_LENGTH} characters, got ${schema.length}`);
  return schema;
}

/** A templated history answer; undefined when it carries no `output` text. */
export function outputPage(body: unknown): MonitorHistoryOutputPage | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.output !== 'string') return undefined;
  return {
    output: b.output,
    count: typeof b.count === 'number' && Number.isInteger(b.count) ? b.count : undefined,
    cursor: typeof b.cursor === 'string' && b.cursor !== '' ? b.cursor : undefined,
  };
}
