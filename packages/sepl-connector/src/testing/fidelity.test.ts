// The simulator against raw frames as the reference clients send them: a `null` part value (the
// Python client's default metadata) is an empty string as the Go server decodes it, listening
// state belongs to a session and not to its gateway, and the average reads the `data` part.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSeplSimulator, type SeplSimulator } from './simulator.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Reply {
  status: number;
  token: string;
  payload: unknown;
}

/** A raw G2 websocket client: sends frames, answers replies by token, reports its close code. */
class RawG2 {
  readonly closed: Promise<number>;
  readonly #socket: WebSocket;
  readonly #waiting = new Map<string, (reply: Reply) => void>();
  #next = 0;

  constructor(url: string) {
    this.#socket = new WebSocket(url);
    this.closed = new Promise((resolve) =>
      this.#socket.once('close', (code) => {
        for (const settle of this.#waiting.values()) settle({ status: code, token: 'closed', payload: null });
        this.#waiting.clear();
        resolve(code);
      }),
    );
    this.#socket.on('message', (data: Buffer) => {
      const reply = JSON.parse(data.toString('utf8')) as Reply;
      this.#waiting.get(reply.token)?.(reply);
      this.#waiting.delete(reply.token);
    });
  }

  async open(user: string, pw: string, gid = ''): Promise<Reply> {
    await new Promise((resolve, reject) => {
      this.#socket.once('open', resolve);
      this.#socket.once('error', reject);
    });
    return this.#await('credentials', JSON.stringify({ user, pw, gid, token: 'credentials' }));
  }

  request(handler: string, payload: unknown): Promise<Reply> {
    this.#next += 1;
    const token = `t${this.#next}`;
    return this.#await(token, JSON.stringify({ handler, token, payload }));
  }

  close(): Promise<number> {
    this.#socket.close();
    return this.closed;
  }

  #await(token: string, raw: string): Promise<Reply> {
    return new Promise((resolve) => {
      this.#waiting.set(token, resolve);
      this.#socket.send(raw);
    });
  }
}

async function simulator(): Promise<SeplSimulator> {
  const sim = await startSeplSimulator({ users: { alice: 'secret' } });
  cleanup.push(() => sim.close());
  return sim;
}

async function connected(sim: SeplSimulator, gid = ''): Promise<{ client: RawG2; gid: string }> {
  const client = new RawG2(sim.websocketUrl);
  cleanup.push(async () => void (await client.close()));
  const reply = await client.open('alice', 'secret', gid);
  expect(reply.status).toBe(200);
  return { client, gid: (reply.payload as { gid: string }).gid };
}

const PUT = { uri: 'meter', name: 'Meter', iot_type: 'iot#t', tags: [] };

describe('simulator fidelity to the Go websocket connector', () => {
  it('decodes a null part value as an empty string and keeps the session open', async () => {
    const sim = await simulator();
    const { client } = await connected(sim);
    expect((await client.request('put', PUT)).status).toBe(200);
    const event = { device_uri: 'meter', service_uri: 'reading', value: [{ name: 'metadata', value: null }, { name: 'data', value: '4' }] };
    expect(await client.request('event', event)).toMatchObject({ status: 200, payload: 'ok' });
    expect(sim.events.map((e) => e.parts)).toEqual([[{ name: 'metadata', value: '' }, { name: 'data', value: '4' }]]);
    expect(await client.request('event', { ...event, value: null })).toMatchObject({ status: 200, payload: 'ok' });
    expect(sim.sessionCount).toBe(1);
  });

  it('answers a non-string part value with a 400 (a Go unmarshal error), not a close', async () => {
    const sim = await simulator();
    const { client } = await connected(sim);
    await client.request('put', PUT);
    const reply = await client.request('event', { device_uri: 'meter', service_uri: 'reading', value: [{ name: 'data', value: 4 }] });
    expect(reply).toEqual({ status: 400, token: 't2', handler: 'response', content_type: 'string', payload: 'json: cannot unmarshal number into Go struct field ProtocolPart.value of type string' });
    expect(sim.events).toEqual([]);
    expect(await client.request('event', { device_uri: 'meter', service_uri: 'reading', value: [{ name: 'data', value: '5' }] })).toMatchObject({ status: 200 });
    expect(sim.sessionCount).toBe(1);
  });

  it("a closing old session does not stop the devices of a reconnect that overtook it", async () => {
    const sim = await simulator();
    const first = await connected(sim);
    await first.client.request('put', PUT);
    await first.client.request('commit', 'h1');
    const second = await connected(sim, first.gid);
    expect(second.gid).toBe(first.gid);
    expect(await first.client.close()).toBe(1005);
    await expect.poll(() => sim.sessionCount).toBe(1);
    const event = { device_uri: 'meter', service_uri: 'reading', value: [{ name: 'data', value: '1' }] };
    expect(await second.client.request('event', event)).toMatchObject({ status: 200, payload: 'ok' });
    expect([...sim.gateways.get(first.gid)!.listening]).toEqual(['meter']);
  });

  it('a session only listens for what it put or what the gateway committed', async () => {
    const sim = await simulator();
    const first = await connected(sim);
    const second = await connected(sim, first.gid);
    await first.client.request('put', PUT);
    const event = { device_uri: 'meter', service_uri: 'reading', value: [{ name: 'data', value: '1' }] };
    expect(await second.client.request('event', event)).toMatchObject({ status: 400, payload: 'device not connected' });
    expect(await first.client.request('event', event)).toMatchObject({ status: 200 });
    await first.client.close();
    await expect.poll(() => sim.sessionCount).toBe(1);
    expect(sim.gateways.get(first.gid)!.listening.size).toBe(0);
  });

  it('averages the data part, not the first numeric-looking part', async () => {
    const sim = await simulator();
    const { client } = await connected(sim);
    await client.request('put', PUT);
    for (const [metadata, data] of [['100', '1'], ['200', '5']] as const) {
      await client.request('event', { device_uri: 'meter', service_uri: 'reading', value: [{ name: 'metadata', value: metadata }, { name: 'data', value: data }] });
    }
    await client.request('event', { device_uri: 'meter', service_uri: 'reading', value: [{ name: 'metadata', value: '9' }] });
    const rows = (await (await fetch(`${sim.url}devices/meter/average`)).json()) as Array<{ result: number; data_points: number }>;
    expect(rows.map((r) => [r.result, r.data_points])).toEqual([[3, 2]]);
  });
});

describe('simulator fidelity to the seed (G1) server', () => {
  async function g1(sim: SeplSimulator): Promise<{ socket: WebSocket; frames: string[] }> {
    const socket = new WebSocket(sim.websocketUrl);
    const frames: string[] = [];
    socket.on('message', (data: Buffer) => frames.push(data.toString('utf8')));
    await new Promise((resolve) => socket.once('open', resolve));
    cleanup.push(() => Promise.resolve(socket.terminate()));
    socket.send(JSON.stringify({ user: 'alice', pw: 'secret' }));
    return { socket, frames };
  }

  it('answers an undecodable change: with an error: frame and keeps the socket', async () => {
    const sim = await simulator();
    const { socket, frames } = await g1(sim);
    socket.send('change:{not json');
    socket.send('change:' + JSON.stringify({ device_url: 'd', service_url: 's', protocol_parts: [{ name: 'data', value: 1 }] }));
    socket.send('change:' + JSON.stringify({ device_url: 'd', service_url: 's', protocol_parts: [{ name: 'metadata', value: null }, { name: 'data', value: '2' }] }));
    await expect.poll(() => sim.events.length).toBe(1);
    // the error frames were sent before the event was kept, but may still be on their way
    await expect.poll(() => frames.length).toBe(2);
    expect(frames).toEqual(['error:change is not a JSON object', 'error:json: cannot unmarshal number into Go struct field ProtocolPart.value of type string']);
    expect(sim.events[0]!.parts).toEqual([{ name: 'metadata', value: '' }, { name: 'data', value: '2' }]);
    expect(sim.sessionCount).toBe(1);
  });
});
