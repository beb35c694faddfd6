// Property tests for the parsers of untrusted data: any input gives a result or a typed error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceProfile } from './connect/profile.js';
import { parseMqttServer } from './connect/mqtt-server.js';
import { isThinqError } from './errors.js';
import { ModelInfo } from './model.js';
import { parseOAuthCallback } from './v1/client.js';

const typedOrOk = (fn: () => unknown, allowed: (err: unknown) => boolean) => {
  try {
    fn();
  } catch (err) {
    expect(allowed(err)).toBe(true);
  }
};

describe('parsers never fail with an untyped error', () => {
  it('DeviceProfile accepts or rejects any JSON with MalformedResponseError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        typedOrOk(() => new DeviceProfile(raw), (e) => isThinqError(e) && (e as Error).name === 'MalformedResponseError');
      }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.jsonValue())), (property) => {
        typedOrOk(() => new DeviceProfile({ property }), (e) => isThinqError(e));
      }),
    );
  });

  it('validateControl answers any payload with a result, a TypeError or a ControlValidationError', () => {
    const profile = new DeviceProfile({
      property: { a: { x: { type: 'range', mode: ['r', 'w'], value: { w: { min: 0, max: 10, step: 2 } } }, y: { type: 'enum', mode: ['w'], value: { w: ['A'] } } } },
    });
    fc.assert(
      fc.property(fc.jsonValue(), (payload) => {
        typedOrOk(() => profile.validateControl(payload), (e) => e instanceof TypeError || (isThinqError(e) && (e as Error).name === 'ControlValidationError'));
      }),
    );
    fc.assert(
      // Quarter values are exact in binary floating point, so the oracle below is exact too.
      fc.property(fc.integer({ min: -80, max: 80 }).map((n) => n / 4), (v) => {
        let ok = true;
        try {
          profile.validateControl({ a: { x: v } });
        } catch {
          ok = false;
        }
        expect(ok).toBe(v >= 0 && v <= 10 && v % 2 === 0);
      }),
    );
  });

  it('ModelInfo.value never throws untyped errors on arbitrary Value entries', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (spec) => {
        const model = new ModelInfo({ Value: { K: spec }, Course: { '1': { _comment: 'x' } } });
        typedOrOk(() => model.value('K'), (e) => e instanceof RangeError || (isThinqError(e) && (e as Error).name === 'UnsupportedValueTypeError'));
      }),
    );
  });

  it('callback URLs and MQTT server strings are parsed or refused with typed errors', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        typedOrOk(() => parseOAuthCallback(s), (e) => e instanceof TypeError || e instanceof RangeError);
        typedOrOk(() => parseMqttServer(s), (e) => isThinqError(e));
      }),
    );
  });
});
