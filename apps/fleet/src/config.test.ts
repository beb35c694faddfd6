// Configuration: file + environment, validated in one pass with paths, secrets never echoed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, relative as relativePath } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, applyEnv, hasVendors, isLoopback, loadConfig, parseConfig } from './config.js';

/** A G3 (SENERGY) platform's endpoints and client id, as `sepl.g3` takes them. */
const G3_ENDPOINTS = {
  tokenUrl: 'https://auth.example/token',
  clientId: 'client-connector-lib',
  hubUrl: 'https://api.example/hubs',
  deviceUrl: 'https://api.example/devices',
  mqttUrl: 'mqtts://connector.example:8883',
};

function issues(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

describe('parseConfig', () => {
  it('defaults to loopback, port 8080, PGlite in .fleet-data, one shard, no vendors', () => {
    const config = parseConfig({});
    expect(config).toEqual({
      server: { host: '127.0.0.1', port: 8080, accessToken: undefined },
      storage: { dataDir: '.fleet-data', databaseUrl: undefined },
      shard: { collector: '0/1', leaseInMs: 15_000 },
      logLevel: 'info',
    });
    expect(hasVendors(config)).toBe(false);
  });

  it('reads every vendor section', () => {
    const config = parseConfig({
      server: { host: '0.0.0.0', port: 9000, accessToken: 'a-long-enough-token' },
      storage: { databaseUrl: 'postgres://fleet@db.example/fleet' },
      shard: { index: 1, count: 2 },
      comap: { loginId: 'ops', clientId: 'c', secret: 's', key: 'k', pollIntervalInMs: 30_000, units: ['genset1'] },
      devicecloud: { username: 'u', password: 'p', baseUrl: 'https://remotemanager.digi.com' },
      thinq: { country: 'DE', accessToken: 'pat' },
      sepl: { url: 'wss://connector.example:8093', user: 'gw', password: 'pw' },
    });
    expect(config.shard).toEqual({
      collector: '1/2',
      leaseInMs: 15_000,
      deprecation:
        'shard.index/shard.count (FLEET_SHARD) are deprecated and ignored for the split: collectors now share 64 shards through leases in PostgreSQL; ' +
        'this collector is named "1/2" (set shard.collector / FLEET_COLLECTOR instead)',
    });
    expect(config.comap).toMatchObject({ loginId: 'ops', pollIntervalInMs: 30_000, units: ['genset1'] });
    expect(config.devicecloud).toMatchObject({ secure: true, baseUrl: 'https://remotemanager.digi.com' });
    expect(config.thinq).toMatchObject({ country: 'DE', accessToken: 'pat', refreshToken: undefined, pollIntervalInMs: 30_000 });
    expect(config.sepl).toMatchObject({ protocol: 'g2', deviceTypes: { genset: 'iot#fleet-genset', gateway: 'iot#fleet-gateway', appliance: 'iot#fleet-appliance' } });
    expect(hasVendors(config)).toBe(true);
  });

  it('reads devicecloud.retireMonitorsAfterInMs (0 never; at most 30 days) and names a bad value', () => {
    const dc = { username: 'u', password: 'p' };
    expect(parseConfig({ devicecloud: dc }).devicecloud?.retireMonitorsAfterInMs).toBeUndefined();
    expect(parseConfig({ devicecloud: { ...dc, retireMonitorsAfterInMs: 0 } }).devicecloud?.retireMonitorsAfterInMs).toBe(0);
    expect(parseConfig({ devicecloud: { ...dc, retireMonitorsAfterInMs: 30 * 86_400_000 } }).devicecloud?.retireMonitorsAfterInMs).toBe(2_592_000_000);
    expect(issues({ devicecloud: { ...dc, retireMonitorsAfterInMs: 30 * 86_400_000 + 1 } })).toEqual([
      'devicecloud.retireMonitorsAfterInMs: expected an integer from 0 to 2592000000, got 2592000001',
    ]);
    expect(issues({ devicecloud: { ...dc, retireMonitorsAfterInMs: -1 } })).toHaveLength(1);
    expect(issues({ devicecloud: { ...dc, retireMonitorsAfterInMs: '1d' } })).toHaveLength(1);
  });

  it('lists every problem with its path, and hides secret values', () => {
    expect(
      issues({
        server: { port: 70000, accessToken: 'short' },
        storage: { databaseUrl: 'mysql://x' },
        shard: { index: 3, count: 2 },
        comap: { loginId: '', secret: 42 },
        thinq: { country: 'germany' },
        sepl: { user: 'gw', password: 'pw', protocol: 'g4' },
        colour: 'red',
      }),
    ).toEqual([
      'colour: unknown setting (known: server, storage, shard, logLevel, staleAfterInMs, comap, devicecloud, thinq, sepl, $schema)',
      'server.port: expected an integer from 0 to 65535, got 70000',
      'server.accessToken: must be at least 16 characters',
      'storage.databaseUrl: expected a postgres: or postgresql: URL, got mysql:',
      'shard.index: must be below shard.count (2), got 3',
      'shard: several collectors need a shared PostgreSQL (storage.databaseUrl / DATABASE_URL)',
      'comap.loginId: expected a non-empty string, got ""',
      'comap.clientId: required',
      'comap.secret: expected a non-empty string, got (hidden)',
      'comap.key: required',
      'thinq: needs accessToken (ThinQ Connect personal access token) and/or refreshToken (ThinQ v1)',
      'thinq.country: expected a two-letter country code such as US, got "germany"',
      'sepl: needs url (ws:// or wss://) or lookupUrl',
      'sepl.protocol: expected one of g1, g2, g3, got "g4"',
    ]);
  });

  it('reads a G3 (SENERGY) sepl section, and names what is missing or belongs to the other protocols', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const g3 = G3_ENDPOINTS;
    expect(parseConfig({ sepl: { protocol: 'g3', user: 'gw', password: 'pw', g3: { ...g3, ca, hubName: 'hall' } } }).sepl).toEqual({
      url: undefined,
      lookupUrl: undefined,
      protocol: 'g3',
      g3: { ...g3, ca, hubName: 'hall' },
      user: 'gw',
      password: 'pw',
      deviceTypes: { genset: 'iot#fleet-genset', gateway: 'iot#fleet-gateway', appliance: 'iot#fleet-appliance' },
    });
    expect(issues({ sepl: { protocol: 'g3', user: 'gw', password: 'pw', url: 'wss://old.example', g3: { tokenUrl: 'ftp://auth', mqttUrl: 'https://broker', ca: '-----BEGIN PRIVATE KEY-----\nMIIE', clientID: 'x' } } })).toEqual([
      'sepl.url: not used with protocol g3 (set sepl.g3)',
      'sepl.g3.clientID: unknown setting (known: tokenUrl, clientId, hubUrl, deviceUrl, mqttUrl, ca, hubName)',
      'sepl.g3.ca: expected a PEM certificate (-----BEGIN CERTIFICATE-----), got PEM text without one',
      'sepl.g3.tokenUrl: expected a https: or http: URL, got ftp:',
      'sepl.g3.clientId: required',
      'sepl.g3.hubUrl: required',
      'sepl.g3.deviceUrl: required',
      'sepl.g3.mqttUrl: expected a mqtts: or mqtt: URL, got https:',
    ]);
    expect(issues({ sepl: { protocol: 'g3', user: 'gw', password: 'pw' } })).toEqual(['sepl.g3: required with protocol g3 ({ tokenUrl, clientId, hubUrl, deviceUrl, mqttUrl, ca?, hubName? })']);
    expect(issues({ sepl: { url: 'wss://connector.example', user: 'gw', password: 'pw', g3 } })).toEqual(['sepl.g3: only used with protocol g3']);
  });

  it('sepl.g3.ca: PEM text as given, or a path whose file is read now; an unreadable or non-PEM file is an issue naming the key and the path', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const sepl = (ca: string) => ({ sepl: { protocol: 'g3', user: 'gw', password: 'pw', g3: { ...G3_ENDPOINTS, ca } } });
    const dir = await mkdtemp(join(tmpdir(), 'fleet-ca-'));
    try {
      await writeFile(join(dir, 'ca.pem'), pem);
      await writeFile(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nMIIE\n');
      expect(parseConfig(sepl(join(dir, 'ca.pem'))).sepl?.g3?.ca).toBe(pem);
      expect(parseConfig(sepl(pem)).sepl?.g3?.ca).toBe(pem);
      // relative to the working directory
      const relative = relativePath(process.cwd(), join(dir, 'ca.pem'));
      expect(parseConfig(sepl(relative)).sepl?.g3?.ca).toBe(pem);
      expect(issues(sepl(join(dir, 'missing.pem')))).toEqual([
        `sepl.g3.ca: cannot read the CA file ${join(dir, 'missing.pem')} (ENOENT); expected a PEM certificate (-----BEGIN CERTIFICATE-----) or the path of a file holding one`,
      ]);
      expect(issues(sepl(join(dir, 'key.pem')))).toEqual([`sepl.g3.ca: the CA file ${join(dir, 'key.pem')} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`]);
      expect(issues(sepl(dir))).toEqual([
        `sepl.g3.ca: cannot read the CA file ${dir} (EISDIR); expected a PEM certificate (-----BEGIN CERTIFICATE-----) or the path of a file holding one`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('requires an access token for a non-loopback bind', () => {
    expect(issues({ server: { host: '192.168.1.10' } })).toEqual([
      'server.host: binding 192.168.1.10 (not loopback) requires server.accessToken (or FLEET_ACCESS_TOKEN)',
    ]);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });
});

describe('environment', () => {
  it('overlays the file with environment variables', () => {
    const raw = applyEnv(
      { server: { port: 8081 }, comap: { loginId: 'file' } },
      {
        FLEET_PORT: '9090',
        DATABASE_URL: 'postgres://db/fleet',
        FLEET_SHARD: '1/3',
        COMAP_LOGIN_ID: 'env',
        COMAP_CLIENT_ID: 'c',
        COMAP_SECRET: 's',
        COMAP_KEY: 'k',
        FLEET_LOG_LEVEL: 'debug',
      },
    );
    const config = parseConfig(raw);
    expect(config.server.port).toBe(9090);
    expect(config.storage.databaseUrl).toBe('postgres://db/fleet');
    expect(config.shard).toMatchObject({ collector: '1/3', leaseInMs: 15_000 });
    expect(config.comap?.loginId).toBe('env');
    expect(config.logLevel).toBe('debug');
  });

  it('sets the SEPL G3 settings from SEPL_PROTOCOL and SEPL_G3_* (the CA as PEM or a path), over the file', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const dir = await mkdtemp(join(tmpdir(), 'fleet-ca-'));
    try {
      await writeFile(join(dir, 'ca.pem'), pem);
      const env = {
        SEPL_USER: 'gw',
        SEPL_PASSWORD: 'pw',
        SEPL_PROTOCOL: 'g3',
        SEPL_G3_TOKEN_URL: G3_ENDPOINTS.tokenUrl,
        SEPL_G3_CLIENT_ID: G3_ENDPOINTS.clientId,
        SEPL_G3_HUB_URL: G3_ENDPOINTS.hubUrl,
        SEPL_G3_DEVICE_URL: G3_ENDPOINTS.deviceUrl,
        SEPL_G3_MQTT_URL: G3_ENDPOINTS.mqttUrl,
        SEPL_G3_CA: join(dir, 'ca.pem'),
        SEPL_G3_HUB_NAME: 'hall',
      };
      const fromFile = { sepl: { g3: { hubName: 'from the file', clientId: 'file-client' } } };
      expect(parseConfig(applyEnv(fromFile, env)).sepl).toEqual({
        url: undefined,
        lookupUrl: undefined,
        protocol: 'g3',
        g3: { ...G3_ENDPOINTS, ca: pem, hubName: 'hall' },
        user: 'gw',
        password: 'pw',
        deviceTypes: { genset: 'iot#fleet-genset', gateway: 'iot#fleet-gateway', appliance: 'iot#fleet-appliance' },
      });
      expect(fromFile.sepl.g3.hubName).toBe('from the file'); // the file's object is not changed
      expect(parseConfig(applyEnv({}, { ...env, SEPL_G3_CA: pem })).sepl?.g3?.ca).toBe(pem);
      expect(issues(applyEnv({}, { ...env, SEPL_G3_MQTT_URL: 'https://broker', SEPL_G3_CA: join(dir, 'nope.pem') }))).toEqual([
        `sepl.g3.ca: cannot read the CA file ${join(dir, 'nope.pem')} (ENOENT); expected a PEM certificate (-----BEGIN CERTIFICATE-----) or the path of a file holding one`,
        'sepl.g3.mqttUrl: expected a mqtts: or mqtt: URL, got https:',
      ]);
      // a g3 setting in the environment of a G2 bridge is named, not ignored
      expect(issues(applyEnv({}, { SEPL_URL: 'wss://connector.example', SEPL_USER: 'gw', SEPL_PASSWORD: 'pw', SEPL_G3_HUB_NAME: 'hall' }))).toEqual([
        'sepl.g3: only used with protocol g3',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the collector and sets its lease period (file or FLEET_COLLECTOR / FLEET_LEASE_MS)', () => {
    const env = { DATABASE_URL: 'postgres://db/x', FLEET_COLLECTOR: 'edge-2', FLEET_LEASE_MS: '5000' };
    expect(parseConfig(applyEnv({}, env)).shard).toEqual({ collector: 'edge-2', leaseInMs: 5000 });
    expect(parseConfig({ storage: { databaseUrl: 'postgres://db/x' } }).shard).toEqual({ collector: hostname(), leaseInMs: 15_000 });
    expect(issues({ shard: { collector: 'two words', leaseInMs: 100 } })).toEqual([
      'shard.leaseInMs: expected an integer from 300 to 600000, got 100',
      'shard.collector: expected up to 64 letters, digits and . _ : / @ -, got "two words"',
    ]);
  });

  it('reports a bad FLEET_SHARD by name', () => {
    expect(issues(applyEnv({}, { FLEET_SHARD: 'half', DATABASE_URL: 'postgres://db/x' }))).toEqual([
      'shard.count: expected an integer from 1 to 1024, got "half"',
      'shard.index: expected an integer from 0 to 1023, got "half"',
    ]);
  });
});

describe('loadConfig', () => {
  it('reads ./fleet.config.json when present, FLEET_CONFIG otherwise, and tolerates its absence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-config-'));
    try {
      expect((await loadConfig({ cwd: dir, env: {} })).file).toBeUndefined();
      await writeFile(join(dir, 'fleet.config.json'), JSON.stringify({ server: { port: 1234 } }));
      const loaded = await loadConfig({ cwd: dir, env: {} });
      expect([loaded.file, loaded.config.server.port]).toEqual([join(dir, 'fleet.config.json'), 1234]);
      await writeFile(join(dir, 'other.json'), '{ "server": ');
      await expect(loadConfig({ cwd: dir, env: { FLEET_CONFIG: 'other.json' } })).rejects.toThrow(/other\.json\):\n {2}- not valid JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
