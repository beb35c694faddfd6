import { describe, expect, it } from 'vitest';
import { checkRegistrationPath, checkWebsocketUrl, configFromEnv } from './config.js';
import { loggerFor } from './log.js';

describe('configFromEnv', () => {
  it('has the seed defaults when nothing is set', () => {
    expect(configFromEnv({})).toEqual({ registrationPath: 'discovery', https: false, logLevel: 'info', g3: {} });
  });

  it('honours every variable', () => {
    expect(
      configFromEnv({
        CONNECTOR_LOOKUP_URL: 'http://sepl.example:8093/lookup',
        CONNECTOR_DEVICE_REGISTRATION_PATH: '/api/discovery',
        CONNECTOR_HTTPS: 'yes',
        CONNECTOR_USER: 'alice',
        CONNECTOR_PASSWORD: 's3cret',
        LOGLEVEL: 'DEBUG',
      }),
    ).toEqual({
      lookupUrl: 'http://sepl.example:8093/lookup',
      registrationPath: 'api/discovery',
      https: true,
      user: 'alice',
      password: 's3cret',
      logLevel: 'debug',
      g3: {},
    });
  });

  it('reads CONNECTOR_PROTOCOL and the CONNECTOR_G3_* endpoints, checking each', () => {
    expect(
      configFromEnv({
        CONNECTOR_PROTOCOL: ' G3 ',
        CONNECTOR_G3_TOKEN_URL: 'https://auth.example/token',
        CONNECTOR_G3_CLIENT_ID: 'client-connector-lib',
        CONNECTOR_G3_HUB_URL: 'https://api.example/hubs',
        CONNECTOR_G3_DEVICE_URL: 'https://api.example/devices',
        CONNECTOR_G3_MQTT_URL: 'mqtts://connector.example:8883',
        CONNECTOR_G3_CA_FILE: '/etc/ca.pem',
      }),
    ).toEqual({
      registrationPath: 'discovery',
      https: false,
      logLevel: 'info',
      protocol: 'g3',
      g3: {
        tokenUrl: 'https://auth.example/token',
        clientId: 'client-connector-lib',
        hubUrl: 'https://api.example/hubs',
        deviceUrl: 'https://api.example/devices',
        mqttUrl: 'mqtts://connector.example:8883',
        caFile: '/etc/ca.pem',
      },
    });
    expect(() => configFromEnv({ CONNECTOR_PROTOCOL: 'g4' })).toThrow(new RangeError('CONNECTOR_PROTOCOL must be g1, g2 or g3'));
    expect(() => configFromEnv({ CONNECTOR_G3_MQTT_URL: 'https://x' })).toThrow(new RangeError('CONNECTOR_G3_MQTT_URL must be an mqtt: or mqtts: URL'));
    expect(() => configFromEnv({ CONNECTOR_G3_MQTT_URL: '::' })).toThrow(new TypeError('CONNECTOR_G3_MQTT_URL must be an absolute URL'));
    expect(() => configFromEnv({ CONNECTOR_G3_HUB_URL: 'ws://x' })).toThrow(new RangeError('CONNECTOR_G3_HUB_URL must be an http: or https: URL'));
  });

  it('treats empty variables as unset', () => {
    expect(configFromEnv({ CONNECTOR_LOOKUP_URL: '', CONNECTOR_HTTPS: '', CONNECTOR_USER: '', LOGLEVEL: '' })).toEqual({
      registrationPath: 'discovery',
      https: false,
      logLevel: 'info',
      g3: {},
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['ON', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['off', false],
  ])('parses CONNECTOR_HTTPS=%s', (value, expected) => {
    expect(configFromEnv({ CONNECTOR_HTTPS: value }).https).toBe(expected);
  });

  it.each([
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['error', 'error'],
    ['critical', 'critical'],
    ['fatal', 'critical'],
    ['info', 'info'],
  ])('parses LOGLEVEL=%s', (value, expected) => {
    expect(configFromEnv({ LOGLEVEL: value }).logLevel).toBe(expected);
  });

  it("accepts the seed's LOGGING_LEVEL as a fallback, LOGLEVEL wins", () => {
    expect(configFromEnv({ LOGGING_LEVEL: 'error' }).logLevel).toBe('error');
    expect(configFromEnv({ LOGGING_LEVEL: 'error', LOGLEVEL: 'debug' }).logLevel).toBe('debug');
  });

  it.each([
    [{ CONNECTOR_LOOKUP_URL: 'not a url' }, TypeError, 'CONNECTOR_LOOKUP_URL must be an absolute URL'],
    [{ CONNECTOR_LOOKUP_URL: 'ftp://x/lookup' }, RangeError, 'CONNECTOR_LOOKUP_URL must be an http: or https: URL'],
    [{ CONNECTOR_DEVICE_REGISTRATION_PATH: 'http://evil/x' }, RangeError, 'CONNECTOR_DEVICE_REGISTRATION_PATH must be a relative path'],
    [{ CONNECTOR_DEVICE_REGISTRATION_PATH: '../x' }, RangeError, 'CONNECTOR_DEVICE_REGISTRATION_PATH'],
    [{ CONNECTOR_DEVICE_REGISTRATION_PATH: 'a?b=1' }, RangeError, 'CONNECTOR_DEVICE_REGISTRATION_PATH'],
    [{ CONNECTOR_HTTPS: 'maybe' }, RangeError, 'CONNECTOR_HTTPS must be true/false'],
    [{ LOGLEVEL: 'loud' }, RangeError, 'LOGLEVEL must be one of debug, info, warning, error, critical'],
    [{ LOGGING_LEVEL: 'loud' }, RangeError, 'LOGGING_LEVEL must be one of'],
  ])('rejects %j naming the variable', (env, type, message) => {
    expect(() => configFromEnv(env)).toThrow(type);
    expect(() => configFromEnv(env)).toThrow(message);
  });

  it('reads process.env by default', () => {
    const before = process.env['CONNECTOR_USER'];
    process.env['CONNECTOR_USER'] = 'from-process';
    try {
      expect(configFromEnv().user).toBe('from-process');
    } finally {
      if (before === undefined) delete process.env['CONNECTOR_USER'];
      else process.env['CONNECTOR_USER'] = before;
    }
  });
});

describe('URL and path checks', () => {
  it('accepts ws and wss, trims the lookup answer', () => {
    expect(checkWebsocketUrl(' ws://h:1\n', 'x').href).toBe('ws://h:1/');
    expect(checkWebsocketUrl('wss://h/', 'x').protocol).toBe('wss:');
    expect(() => checkWebsocketUrl('http://h/', 'x')).toThrow('x must be a ws: or wss: URL');
    expect(() => checkWebsocketUrl('::', 'x')).toThrow('x must be an absolute URL');
  });
  it('strips leading slashes of the registration path', () => {
    expect(checkRegistrationPath('//discovery', 'p')).toBe('discovery');
    expect(() => checkRegistrationPath('', 'p')).toThrow(RangeError);
  });
});

describe('loggerFor (LOGLEVEL → console logger)', () => {
  it.each([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warning', ['warn', 'error']],
    ['error', ['error']],
    ['critical', ['error']],
  ] as const)('%s lets through %j', (level, expected) => {
    const seen: string[] = [];
    const sink = { debug: () => seen.push('debug'), info: () => seen.push('info'), warn: () => seen.push('warn'), error: () => seen.push('error') };
    const logger = loggerFor(level, sink);
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(seen).toEqual(expected);
  });
});
