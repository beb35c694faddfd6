import { describe, expect, it } from 'vitest';
import { optionalPeerError } from './optional-peer.js';

describe('optionalPeerError', () => {
  it('names the missing peer and how to install it', async () => {
    const failure = await import(['aedes', 'not', 'installed'].join('-')).catch((e: unknown) => e);
    const fake = Object.assign(new Error("Cannot find package 'aedes' imported from /x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = optionalPeerError(fake, 'aedes', '^1.2.0', "The ThinQ simulator's MQTT broker") as Error;
    expect(error.message).toBe("The ThinQ simulator's MQTT broker needs the optional peer dependency 'aedes': run `npm install aedes@^1.2.0`.");
    expect(error.cause).toBe(fake);
    // Another module missing, or another failure, is not dressed up as this one.
    expect(optionalPeerError(failure, 'aedes', '^1.2.0', 'x')).toBe(failure);
    const broken = new SyntaxError('bad');
    expect(optionalPeerError(broken, 'aedes', '^1.2.0', 'x')).toBe(broken);
  });
});
