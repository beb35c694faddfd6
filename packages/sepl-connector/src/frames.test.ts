import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeParts, parseCommand, responsePayload } from './command.js';
import { CommandStream } from './command-stream.js';
import { g1CredentialsFrame, g1OutboundFrame, g1RegistrationBody, parseG1Inbound } from './g1-frames.js';
import { g2CredentialsFrame, g2RequestFrame, parseG2Inbound, parseHandshakePayload, resolveHandlers } from './g2-frames.js';

// The command of the platform notes' "Kafka-Command-Example" (sepl.md §2.4), prefix stripped.
const KAFKA_COMMAND =
  '{"worker_id":"3de1","task_id":"59bd","device_url":"ZWAY_DummyDevice_10","service_url":"sepl_get","protocol_parts":null,"device_instance_id":"iot#e17a","service_name":"sepl_get","output_name":"Task_1kmeuz3","time":"1500554317"}';

describe('commands', () => {
  it('parses the documented command and echoes it in a response', () => {
    const command = parseG1Inbound(KAFKA_COMMAND);
    expect(command).toEqual(JSON.parse(KAFKA_COMMAND));
    expect(g1OutboundFrame(responsePayload(command, { header: '', body: 'ok' }))).toBe(
      `response:${KAFKA_COMMAND.replace('"protocol_parts":null', '"protocol_parts":[{"name":"header","value":""},{"name":"body","value":"ok"}]')}`,
    );
  });

  it('keeps unknown fields and fills missing optional strings', () => {
    const command = parseCommand({ device_url: 'd', task_id: 't', time: 1500554317, extra: { a: 1 }, protocol_parts: [{ name: 'n', value: 'v' }] });
    expect(command).toEqual({
      device_url: 'd',
      task_id: 't',
      time: '1500554317',
      extra: { a: 1 },
      service_url: '',
      service_name: '',
      device_instance_id: '',
      worker_id: '',
      output_name: '',
      protocol_parts: [{ name: 'n', value: 'v' }],
    });
  });

  it.each([
    [[], 'command payload is not an object'],
    [{ task_id: 't' }, 'command without device_url'],
    [{ device_url: 'd' }, 'command without task_id'],
    [{ device_url: 'd', task_id: 't', worker_id: 5 }, 'command field worker_id is not a string'],
    [{ device_url: 'd', task_id: 't', protocol_parts: {} }, 'command protocol_parts is not a list'],
    [{ device_url: 'd', task_id: 't', protocol_parts: [{ value: 'x' }] }, 'command protocol part without a name'],
    [{ device_url: 'd', task_id: 't', protocol_parts: [{ name: 'x', value: 1 }] }, "command protocol part 'x' has a non-string value"],
  ])('rejects %j', (payload, message) => {
    expect(() => parseCommand(payload)).toThrow(message);
  });

  it('normalises parts and names the bad one', () => {
    expect(normalizeParts({ a: '1', b: '2' })).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
    expect(normalizeParts(null)).toBeNull();
    expect(() => normalizeParts([{ name: '', value: 'x' }])).toThrow('parts[0].name must be a non-empty string');
    expect(() => normalizeParts([{ name: 'a', value: 2 as unknown as string }])).toThrow('parts[0].value must be a string');
    expect(() => normalizeParts('x' as unknown as Record<string, string>)).toThrow(TypeError);
    expect(() => responsePayload({} as never, [])).toThrow('command must be a command received from the connector');
  });

  it('never throws anything but a SeplProtocolError on garbage (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        for (const parse of [parseG1Inbound, parseG2Inbound]) {
          try {
            parse(text);
          } catch (err) {
            expect((err as Error).name).toBe('SeplProtocolError');
            expect((err as { rawPreview: string }).rawPreview.length).toBeLessThanOrEqual(2049);
          }
        }
      }),
    );
  });
});

describe('G1 frames', () => {
  it('builds credentials, change and registration bodies', () => {
    expect(g1CredentialsFrame('u', 'p')).toBe('{"user":"u","pw":"p"}');
    expect(g1OutboundFrame({ device_url: 'd', task_id: '' })).toBe('change:{"device_url":"d","task_id":""}');
    expect(g1RegistrationBody('u', 'p', [{ id: 'i', type: 't', name: 'n', tags: { a: 'b' } }])).toEqual({
      credentials: { user: 'u', pw: 'p' },
      devices: [{ id: 'i', zway_type: 't', title: 'n' }],
    });
    expect(() => parseG1Inbound('{')).toThrow('G1 frame is not JSON');
  });
});

describe('G2 frames', () => {
  it('encodes the credentials frame and requests as in the platform notes', () => {
    expect(g2CredentialsFrame('user', 'pw', undefined)).toBe('{"user":"user","pw":"pw","gid":"","token":"credentials"}');
    expect(g2CredentialsFrame('user', 'pw', 'g-1')).toBe('{"user":"user","pw":"pw","gid":"g-1","token":"credentials"}');
    expect(g2RequestFrame('clear', 't1', undefined)).toBe('{"handler":"clear","token":"t1","payload":null}');
    expect(g2RequestFrame('commit', 't2', 'abc')).toBe('{"handler":"commit","token":"t2","payload":"abc"}');
  });

  it('decodes responses and commands', () => {
    expect(parseG2Inbound('{"status":200,"handler":"response","token":"t","content_type":"string","payload":"ok"}')).toEqual({
      kind: 'response',
      status: 200,
      token: 't',
      handler: 'response',
      payload: 'ok',
    });
    const frame = parseG2Inbound(`{"handler":"command","content_type":"map","payload":${KAFKA_COMMAND}}`);
    expect(frame.kind === 'command' && frame.command.task_id).toBe('59bd');
    expect(parseG2Inbound('{"status":500,"token":"t","payload":null}')).toMatchObject({ handler: 'response', status: 500 });
  });

  it.each([
    ['nope', 'G2 frame is not JSON'],
    ['[1]', 'G2 frame is not an object'],
    ['{"status":200,"payload":"ok"}', 'G2 frame without a token'],
    ['{"token":"t","payload":"ok"}', 'G2 response without a status'],
  ])('rejects %s', (text, message) => {
    expect(() => parseG2Inbound(text)).toThrow(message);
  });

  it('reads the handshake payload', () => {
    expect(parseHandshakePayload({ gid: 'g', hash: 'h' }, '')).toEqual({ gatewayId: 'g', hash: 'h' });
    expect(parseHandshakePayload({ gid: 'g', hash: null }, '')).toEqual({ gatewayId: 'g', hash: '' });
    expect(() => parseHandshakePayload({ hash: 'h' }, '')).toThrow('handshake answer without a gateway id');
    expect(() => parseHandshakePayload({ gid: 'g', hash: 1 }, '')).toThrow('handshake answer with a non-string hash');
  });

  it('resolves handler names', () => {
    expect(resolveHandlers({ delete: 'remove' })).toMatchObject({ delete: 'remove', put: 'put' });
    expect(() => resolveHandlers({ nope: 'x' } as never)).toThrow('handlers.nope is not a known handler');
    expect(() => resolveHandlers({ put: '' })).toThrow('handlers.put must be a non-empty string');
    expect(() => resolveHandlers('x' as never)).toThrow('handlers must be an object');
  });
});

describe('CommandStream', () => {
  const cmd = (id: string) => parseCommand({ device_url: 'd', task_id: id });

  it('hands buffered and later commands out in order, never drops one, then ends', async () => {
    const done: CommandStream[] = [];
    let reads = 0;
    const stream = new CommandStream(2, (s) => done.push(s), () => reads++);
    expect(stream.push(cmd('1'))).toBe(true);
    expect(stream.full).toBe(false);
    expect(stream.push(cmd('2'))).toBe(false);
    // past the limit the command is still kept; false asks the caller to stop reading
    expect(stream.push(cmd('3'))).toBe(false);
    expect(stream.buffered).toBe(3);
    expect(stream.full).toBe(true);
    expect((await stream.next()).value?.task_id).toBe('1');
    expect(stream.full).toBe(true);
    expect((await stream.next()).value?.task_id).toBe('2');
    expect(stream.full).toBe(false);
    expect((await stream.next()).value?.task_id).toBe('3');
    expect(reads).toBe(3);
    const waiting = stream.next();
    expect(stream.push(cmd('4'))).toBe(true);
    expect((await waiting).value?.task_id).toBe('4');
    expect(reads).toBe(3);
    const pending = stream.next();
    stream.end();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(done).toEqual([stream]);
    expect(stream.push(cmd('5'))).toBe(true);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('throws the failure once, to a waiting reader or the next read', async () => {
    const a = new CommandStream(5, () => undefined);
    const waiting = a.next();
    a.fail(new Error('boom'));
    await expect(waiting).rejects.toThrow('boom');
    expect(await a.next()).toEqual({ value: undefined, done: true });
    const b = new CommandStream(5, () => undefined);
    b.fail(new Error('later'));
    await expect(b.next()).rejects.toThrow('later');
    expect(await b.next()).toEqual({ value: undefined, done: true });
  });

  it('works with for await and return()', async () => {
    const stream = new CommandStream(5, () => undefined);
    stream.push(cmd('a'));
    stream.push(cmd('b'));
    const seen: string[] = [];
    for await (const c of stream) {
      seen.push(c.task_id);
      break;
    }
    expect(seen).toEqual(['a']);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
