import { describe, expect, it } from 'vitest';
import { deviceHash, gatewayHash, tagStrings, validateDevice, type SeplDevice } from './device.js';

// Sample devices of SENERGY-Platform/client-connector-lib@v3.1.9 example_client.py (Apache-2.0);
// the expected hashes were computed independently with `printf … | sha1sum` (see sepl.md §3.3).
const TYPE = 'iot#d66ec9bc-e37f-4f35-a788-027301aad6c2';
const device1: SeplDevice = { id: 'asdsdfsf24t', type: TYPE, name: 'Dummy Device 1' };
const device2: SeplDevice = { id: '3g46h4h6h436h', type: TYPE, name: 'Dummy Device 2', tags: { type: 'Dummy' } };
const device3: SeplDevice = { id: '46j5j67j6rt', type: TYPE, name: 'Dummy Device 3' };

describe('device hash (Python client algorithm)', () => {
  it('hashes the documented sample devices', () => {
    expect(deviceHash(device1)).toBe('7f42f2aad37fe2b8e1e6feea472fd1cec5d50a07');
    expect(deviceHash(device2)).toBe('067167018963b7d0b98a30af48a439160db25ca8');
    expect(deviceHash(device3)).toBe('ba8587c11cdeeda1d783cf1d8a3b74525748cede');
    expect(deviceHash({ id: '3h6j6i8i7rer5', type: 'iot#1740e97f-1ae1-4547-a757-a62018083d3f', name: 'Dummy Device 4' })).toBe(
      'ff67d1e9a6938de66af306fdabfcd07238a7fbcc',
    );
  });

  it('hashes the gateway as SHA-1 of the sorted device hashes, independent of order', () => {
    expect(gatewayHash([device1, device2, device3])).toBe('dc78faada1e6851c3eea733ab7a1cf8d75f75a9a');
    expect(gatewayHash([device3, device1, device2])).toBe('dc78faada1e6851c3eea733ab7a1cf8d75f75a9a');
    expect(gatewayHash([])).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('changes when a tag is added (scenario "add tag to existing device")', () => {
    const tagged = { ...device1, tags: [['type', 'Dummy']] as [string, string][] };
    expect(deviceHash(tagged)).toBe('19534a4ea72980f9850dfcee798eff489ab04c91');
    expect(gatewayHash([tagged, device2, device3])).toBe('bc59e39cdf2476ea91825edcdf12611e1b64907e');
  });

  it('keeps tag order, in object and pair form alike', () => {
    const a = { ...device1, tags: { a: '1', b: '2' } };
    const b = { ...device1, tags: [['b', '2'], ['a', '1']] as [string, string][] };
    expect(deviceHash(a)).not.toBe(deviceHash(b));
    expect(deviceHash({ ...device1, tags: [['a', '1'], ['b', '2']] })).toBe(deviceHash(a));
    expect(tagStrings(a)).toEqual(['a:1', 'b:2']);
    expect(tagStrings(device1)).toEqual([]);
  });
});

describe('validateDevice', () => {
  it('accepts a valid device and returns it', () => {
    expect(validateDevice(device2)).toBe(device2);
  });
  it.each([
    [null, TypeError, 'device must be an object'],
    [{ type: TYPE, name: 'n' }, TypeError, 'device.id must be a string'],
    [{ id: '', type: TYPE, name: 'n' }, RangeError, 'device.id must not be empty'],
    [{ id: 'x', type: TYPE, name: 'n', tags: 'a' }, TypeError, 'device.tags must be an object'],
    [{ id: 'x', type: TYPE, name: 'n', tags: { device_name: 'x' } }, RangeError, "the key 'device_name' is reserved"],
    [{ id: 'x', type: TYPE, name: 'n', tags: { 'a:b': 'x' } }, RangeError, "the key 'a:b' contains ':' or ';'"],
    [{ id: 'x', type: TYPE, name: 'n', tags: { a: 'x;y' } }, RangeError, "device.tags['a'] contains ':' or ';'"],
    [{ id: 'x', type: TYPE, name: 'n', tags: [['a', '1'], ['a', '2']] }, RangeError, "duplicate key 'a'"],
    [{ id: 'x', type: TYPE, name: 'n', tags: [['a', 1]] }, TypeError, 'pairs with string values'],
    [{ id: 'x', type: TYPE, name: 'n', tags: { '': 'v' } }, RangeError, 'a tag key must not be empty'],
  ])('rejects %j', (input, type, message) => {
    expect(() => validateDevice(input)).toThrow(type);
    expect(() => validateDevice(input)).toThrow(message);
  });
});
