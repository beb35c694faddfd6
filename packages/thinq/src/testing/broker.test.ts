import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { createCsr, generateClientKeyPair, pemBody } from '../connect/x509.js';
import { createTestCa, type TestCa } from './ca.js';
import { startMqttBroker, type MqttBrokerSim } from './broker.js';

describe('simulator CA and MQTT broker over mutual TLS', () => {
  let ca: TestCa;
  let broker: MqttBrokerSim;
  beforeAll(async () => {
    ca = await createTestCa();
    broker = await startMqttBroker(ca);
  }, 60_000); // RSA-2048 key generation (CA and server) takes seconds on a busy machine
  afterAll(async () => {
    await broker.close();
  });

  it('issues a client certificate from a CSR and delivers QoS 1 messages', { timeout: 60_000 }, async () => {
    const pair = await generateClientKeyPair();
    const csrPem = await createCsr(pair);
    expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const cert = await ca.issueFromCsr(pemBody(csrPem));
    broker.allow('client-1', ['app/clients/client-1/push']);
    const client = await mqtt.connectAsync(broker.url, {
      key: pair.privateKeyPem, cert, ca: ca.certPem, clientId: 'client-1', reconnectPeriod: 0, rejectUnauthorized: true,
    });
    try {
      const granted = await client.subscribeAsync('app/clients/client-1/push', { qos: 1 });
      expect(granted).toEqual([{ topic: 'app/clients/client-1/push', qos: 1 }]);
      await expect(client.subscribeAsync('app/clients/other/push', { qos: 1 })).rejects.toThrow('Subscribe error');
      const got = new Promise<string>((resolve) => client.once('message', (_t, payload) => resolve(payload.toString())));
      await broker.publish('app/clients/client-1/push', { hello: 1 });
      expect(await got).toBe('{"hello":1}');
    } finally {
      await client.endAsync();
    }
  });

  it('refuses clients without a certificate from the CA', async () => {
    await expect(
      mqtt.connectAsync(broker.url, { ca: ca.certPem, clientId: 'anon', reconnectPeriod: 0, connectTimeout: 2000 }),
    ).rejects.toThrow();
    await expect(ca.issueFromCsr('bm90IGEgY3Ny')).rejects.toThrow('the CSR cannot be parsed');
  });
});
