/**
 * `valueGuids` on the wire: joined with "," and no spaces. (With a space after the comma the live
 * API silently dropped the second value.) Accepts an array or a comma-separated string.
 */
export function normalizeGuids(input: string | readonly string[] | undefined, field: string): string | undefined {
  if (input === undefined) return undefined;
  let parts: string[];
  if (typeof input === 'string') parts = input.split(',');
  else if (Array.isArray(input)) {
    parts = (input as readonly unknown[]).map((g, i) => {
      if (typeof g !== 'string') throw new TypeError(`${field}[${i}] must be a string`);
      if (g.includes(',')) throw new RangeError(`${field}[${i}] must be one GUID, without commas`);
      return g;
    });
  } else throw new TypeError(`${field} must be an array of GUIDs or a comma-separated string`);
  const trimmed = parts.map((g) => g.trim());
  if (typeof input === 'string') {
    const nonEmpty = trimmed.filter((g) => g !== '');
    return nonEmpty.length === 0 ? undefined : nonEmpty.join(',');
  }
  trimmed.forEach((g, i) => {
    if (g === '') throw new RangeError(`${field}[${i}] must not be empty`);
  });
  return trimmed.length === 0 ? undefined : trimmed.join(',');
}
