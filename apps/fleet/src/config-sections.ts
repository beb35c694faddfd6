// The four vendor sections of the configuration, one parser each. The registry (src/registry.ts)
// calls them with a Reader that already knows the section's secret fields, so no parser has to
// remember which values to hide.
import { readCaSetting } from './config-ca.js';
import type { Reader } from './config-read.js';
import type { ComapConfig, DevicecloudConfig, SeplConfig, ThinqConfig } from './config.js';

const DEFAULT_SEPL_TYPES = {
  genset: 'iot#fleet-genset',
  gateway: 'iot#fleet-gateway',
  appliance: 'iot#fleet-appliance',
} as const;

export function parseComapSection(comap: Reader): ComapConfig {
  comap.only(['loginId', 'clientId', 'secret', 'key', 'baseUrl', 'identityUrl', 'pollIntervalInMs', 'units']);
  return {
    loginId: comap.requiredString('loginId'),
    clientId: comap.requiredString('clientId'),
    secret: comap.requiredString('secret'),
    key: comap.requiredString('key'),
    baseUrl: comap.url('baseUrl', ['https:', 'http:']),
    identityUrl: comap.url('identityUrl', ['https:', 'http:']),
    pollIntervalInMs: comap.integer('pollIntervalInMs', 1000, 86_400_000) ?? 60_000,
    units: comap.stringArray('units'),
  };
}

export function parseDevicecloudSection(dc: Reader): DevicecloudConfig {
  dc.only(['username', 'password', 'baseUrl', 'pushHost', 'pushPort', 'secure', 'idleTimeoutInMs', 'retireMonitorsAfterInMs']);
  return {
    username: dc.requiredString('username'),
    password: dc.requiredString('password'),
    baseUrl: dc.url('baseUrl', ['https:', 'http:']),
    pushHost: dc.string('pushHost'),
    pushPort: dc.integer('pushPort', 1, 65535),
    secure: dc.boolean('secure') ?? true,
    idleTimeoutInMs: dc.integer('idleTimeoutInMs', 1000, 86_400_000),
    // 0: never; at most 30 days (shards/leases.ts forgets a gone collector after 32).
    retireMonitorsAfterInMs: dc.integer('retireMonitorsAfterInMs', 0, 30 * 86_400_000),
  };
}

export function parseThinqSection(thinq: Reader): ThinqConfig {
  thinq.only(['country', 'accessToken', 'clientId', 'refreshToken', 'language', 'baseUrl', 'pollIntervalInMs']);
  const accessToken = thinq.string('accessToken');
  const refreshToken = thinq.string('refreshToken');
  if (thinq.obj.accessToken === undefined && thinq.obj.refreshToken === undefined) {
    thinq.issues.push('thinq: needs accessToken (ThinQ Connect personal access token) and/or refreshToken (ThinQ v1)');
  }
  return {
    country: thinq.requiredString('country', { pattern: /^[A-Z]{2}$/, hint: 'a two-letter country code such as US' }),
    accessToken,
    clientId: thinq.string('clientId'),
    refreshToken,
    language: thinq.string('language', { pattern: /^[a-z]{2}-[A-Z]{2}$/, hint: 'a language tag such as en-US' }),
    baseUrl: thinq.url('baseUrl', ['https:', 'http:']),
    pollIntervalInMs: thinq.integer('pollIntervalInMs', 1000, 86_400_000) ?? 30_000,
  };
}

const SEPL_G3_KEYS = ['tokenUrl', 'clientId', 'hubUrl', 'deviceUrl', 'mqttUrl', 'ca', 'hubName'];

/** protocol g3 (today's SENERGY): `sepl.g3`, the platform's endpoints; `ca` (an extra CA for the broker: PEM text or a PEM file's path) and `hubName` optional. */
function parseSeplG3(sepl: Reader): SeplConfig['g3'] {
  for (const key of ['url', 'lookupUrl']) if (sepl.obj[key] !== undefined) sepl.issues.push(`${sepl.at(key)}: not used with protocol g3 (set sepl.g3)`);
  const g3 = sepl.child('g3')?.only(SEPL_G3_KEYS);
  if (g3 === undefined) {
    if (sepl.obj.g3 === undefined) sepl.issues.push(`${sepl.at('g3')}: required with protocol g3 ({ tokenUrl, clientId, hubUrl, deviceUrl, mqttUrl, ca?, hubName? })`);
    return undefined;
  }
  const requiredUrl = (key: string, protocols: readonly string[]): string => {
    const v = g3.url(key, protocols);
    if (v === undefined && g3.obj[key] === undefined) g3.issues.push(`${g3.at(key)}: required`);
    return v ?? '';
  };
  const ca = readCaSetting(g3, 'ca');
  const hubName = g3.string('hubName');
  return {
    tokenUrl: requiredUrl('tokenUrl', ['https:', 'http:']),
    clientId: g3.requiredString('clientId'),
    hubUrl: requiredUrl('hubUrl', ['https:', 'http:']),
    deviceUrl: requiredUrl('deviceUrl', ['https:', 'http:']),
    mqttUrl: requiredUrl('mqttUrl', ['mqtts:', 'mqtt:']),
    ...(ca !== undefined ? { ca } : {}),
    ...(hubName !== undefined ? { hubName } : {}),
  };
}

export function parseSeplSection(sepl: Reader): SeplConfig {
  sepl.only(['url', 'lookupUrl', 'g3', 'protocol', 'user', 'password', 'deviceTypes']);
  let url: string | undefined;
  let lookupUrl: string | undefined;
  let g3: SeplConfig['g3'];
  if (sepl.obj.protocol === 'g3') {
    g3 = parseSeplG3(sepl);
  } else {
    if (sepl.obj.g3 !== undefined) sepl.issues.push(`${sepl.at('g3')}: only used with protocol g3`);
    url = sepl.url('url', ['ws:', 'wss:']);
    lookupUrl = sepl.url('lookupUrl', ['http:', 'https:']);
    if (url === undefined && lookupUrl === undefined && sepl.obj.url === undefined && sepl.obj.lookupUrl === undefined) {
      sepl.issues.push('sepl: needs url (ws:// or wss://) or lookupUrl');
    }
  }
  const types = sepl.child('deviceTypes')?.only(['genset', 'gateway', 'appliance']);
  return {
    url,
    lookupUrl,
    protocol: sepl.oneOf('protocol', ['g1', 'g2', 'g3'] as const) ?? 'g2',
    ...(g3 ? { g3 } : {}),
    user: sepl.requiredString('user'),
    password: sepl.requiredString('password'),
    deviceTypes: {
      genset: types?.string('genset') ?? DEFAULT_SEPL_TYPES.genset,
      gateway: types?.string('gateway') ?? DEFAULT_SEPL_TYPES.gateway,
      appliance: types?.string('appliance') ?? DEFAULT_SEPL_TYPES.appliance,
    },
  };
}
