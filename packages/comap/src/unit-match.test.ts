import { describe, expect, it } from 'vitest';
import { ComapAmbiguousUnitError, ComapNotFoundError } from './errors.js';
import type { Unit } from './types.js';
import { matchUnit } from './unit-match.js';

const unit = (name: string, i: number): Unit => ({ name, unitGuid: `genset${String(i).padStart(32, '0')}`, url: '' });

describe('matchUnit', () => {
  const units = ['Westport Hospital 1', 'Brno Hospital 2', 'Westport Mall 3', 'Brno'].map(unit);

  it('a full name (any case, outer spaces ignored) wins over prefixes; a unique prefix is that unit', () => {
    expect(matchUnit(units, 'brno').name).toBe('Brno');
    expect(matchUnit(units, ' WESTPORT MALL 3 ').name).toBe('Westport Mall 3');
    expect(matchUnit(units, 'Westport H').name).toBe('Westport Hospital 1');
  });

  it('several candidates: ComapAmbiguousUnitError (input) with all of them; the message shows ten', () => {
    let error: unknown;
    try {
      matchUnit(units, 'Westport');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ComapAmbiguousUnitError);
    expect(error).toMatchObject({ category: 'input', code: 'COMAP_AMBIGUOUS_UNIT', candidates: [units[0], units[2]] });
    const many = Array.from({ length: 12 }, (_, i) => unit(`Twin`, i));
    expect(() => matchUnit(many, 'twin')).toThrow(
      `"twin" is ambiguous: 12 units have that name: ${Array.from({ length: 10 }, () => '"Twin"').join(', ')}, and 2 more; pass the unit's GUID`,
    );
    expect(() => matchUnit(units, 'Mall')).toThrow('"Mall" matches no unit name or name prefix; 1 name contains it: "Westport Mall 3"; name one unit (or pass its GUID)');
  });

  it('nothing: ComapNotFoundError; bad input: TypeError/RangeError naming the parameter', () => {
    expect(() => matchUnit(units, 'Nowhere')).toThrow(new ComapNotFoundError('no unit is named or starts with "Nowhere"'));
    expect(() => matchUnit(units, 3 as unknown as string)).toThrow(new TypeError('name must be a string'));
    expect(() => matchUnit(units, '  ')).toThrow(new RangeError('name must not be empty'));
  });
});
