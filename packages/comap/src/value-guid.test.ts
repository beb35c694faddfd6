import { describe, expect, it } from 'vitest';
import { VALUE_GUID } from './value-guid.js';

describe('VALUE_GUID', () => {
  it('has the 36 names of the Python package, with unique GUIDs passed through unchanged', () => {
    expect(Object.keys(VALUE_GUID)).toHaveLength(36);
    expect(new Set(Object.values(VALUE_GUID).map((g) => g.toLowerCase())).size).toBe(36);
    expect(VALUE_GUID.engine_state).toBe('BB2D1ADE-740E-488d-853B-6BA970D52E27');
    expect(VALUE_GUID.modes_available).toBe('49424e2b-1009-471c-b8e3-3e84e9c16159');
    expect(VALUE_GUID.genset_name).toBe('7b2ae258-65a8-40dd-bb42-5455753679f9');
    expect(VALUE_GUID.service_info).toBe('416E416A-CA43-4064-948E-479247B12411');
    for (const g of Object.values(VALUE_GUID)) expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    expect(Object.isFrozen(VALUE_GUID)).toBe(true);
  });
});
