/**
 * JSON parsing that can keep big integers exact: JSON.parse turns 9007199254740993 into
 * 9007199254740992, and Node 20 has no reviver source text. When asked, integer literals of 16 or
 * more digits outside strings are quoted before parsing, so they arrive as their exact digits
 * (callers then convert LONG values to string or bigint). Documents without such a run of digits
 * take the plain JSON.parse path.
 */
const LONG_RUN = /\d{16}/;
const STRING_OR_BIG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

export function parseJson(text: string, exactIntegers: boolean): unknown {
  if (!exactIntegers || !LONG_RUN.test(text)) return JSON.parse(text);
  return JSON.parse(text.replace(STRING_OR_BIG_INTEGER, (token) => (token.startsWith('"') ? token : `"${token}"`)));
}
