/**
 * Which unit a text names, for anything that acts on a unit: the unit whose full name equals the
 * text (case-insensitive), else the one unit whose name starts with it. Never "the first one that
 * contains it": with three "Hospital" units a `stop` must not pick one of them.
 */
import { ComapAmbiguousUnitError, ComapNotFoundError } from './errors.js';
import type { Unit } from './types.js';

/** Shows at most this many candidates in a message (the error's `candidates` has them all). */
const SHOWN = 10;

function quoteList(units: readonly Unit[]): string {
  const shown = units.slice(0, SHOWN).map((u) => JSON.stringify(u.name));
  return units.length > SHOWN ? `${shown.join(', ')}, and ${units.length - SHOWN} more` : shown.join(', ');
}

/**
 * The one unit `text` names. Throws ComapAmbiguousUnitError (category `input`, with `candidates`)
 * when several names start with it, or when none does but some contain it; ComapNotFoundError when
 * no name even contains it.
 */
export function matchUnit(units: readonly Unit[], text: string): Unit {
  if (typeof text !== 'string') throw new TypeError('name must be a string');
  const wanted = text.trim().toLowerCase();
  if (wanted === '') throw new RangeError('name must not be empty');
  const exact = units.filter((u) => u.name.trim().toLowerCase() === wanted);
  if (exact.length === 1) return exact[0] as Unit;
  if (exact.length > 1) {
    throw new ComapAmbiguousUnitError(`${JSON.stringify(text)} is ambiguous: ${exact.length} units have that name: ${quoteList(exact)}; pass the unit's GUID`, exact);
  }
  const prefixed = units.filter((u) => u.name.trim().toLowerCase().startsWith(wanted));
  if (prefixed.length === 1) return prefixed[0] as Unit;
  if (prefixed.length > 1) {
    throw new ComapAmbiguousUnitError(`${JSON.stringify(text)} is ambiguous: ${prefixed.length} unit names start with it: ${quoteList(prefixed)}; name one unit (or pass its GUID)`, prefixed);
  }
  const containing = units.filter((u) => u.name.toLowerCase().includes(wanted));
  if (containing.length > 0) {
    const what = containing.length === 1 ? '1 name contains it' : `${containing.length} names contain it`;
    throw new ComapAmbiguousUnitError(`${JSON.stringify(text)} matches no unit name or name prefix; ${what}: ${quoteList(containing)}; name one unit (or pass its GUID)`, containing);
  }
  throw new ComapNotFoundError(`no unit is named or starts with ${JSON.stringify(text)}`);
}
