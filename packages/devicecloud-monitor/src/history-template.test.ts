// Templated history: the `schema` parameter and the `output` field are Digi's monitors tutorial
// (doc-remotemanager.digi.com /pages/monitors-with-templates); one output per page is this client's
// reading, verified against the simulator only (see history-template.ts).
import { errorCategory, isHttpError, ParseError } from '@x/http-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceCloudClient } from './client.js';
import { closeRestFixture, collect, startRestFixtureAt } from './rest-test-support.js';
import { MAX_SCHEMA_LENGTH } from './history-template.js';
import type { DeviceCloudSimulator } from './testing/index.js';
import { TemplateError, renderTemplate } from './testing/sim-template.js';

let sim: DeviceCloudSimulator;
let client: DeviceCloudClient;
const T0 = Date.UTC(2026, 0, 1);

beforeEach(async () => ({ sim, client } = await startRestFixtureAt(T0)));
afterEach(() => closeRestFixture({ sim, client }));


// The tutorial's template: a JSON array of { streamId: data } per page.
const TEMPLATE = '[{{#each this}}{{#if @index}},{{/if}}{ "{{DataPoint.streamId}}":{{DataPoint.data}} }{{/each}}]';

describe('monitorHistoryOutput (templated history)', () => {
  it('renders each page with the template on the server, follows the cursor, and leaves the monitor as it was', async () => {
    const id = await client.createPollingMonitor(['DataPoint']);
    for (let i = 0; i < 3; i++) {
      vi.setSystemTime(T0 + i * 1000);
      sim.publishDataPoint({ streamId: `dev/s${i}`, data: i * 10 });
    }
    const before = { ...sim.monitors().find((m) => m.id === id)!.fields };
    sim.requests.splice(0);
    const pages = await collect(client.monitorHistoryOutput(id, TEMPLATE, { pageSize: 2, startTime: T0 }));
    expect(pages.map((p) => [p.output, p.count, p.cursor === undefined])).toEqual([
      ['[{ "dev/s0":0 },{ "dev/s1":10 }]', 2, false],
      ['[{ "dev/s2":20 }]', 1, true],
    ]);
    expect(JSON.parse(pages[0]!.output)).toEqual([{ 'dev/s0': 0 }, { 'dev/s1': 10 }]);
    const sent = sim.requests.map((r) => new URL(r.url, sim.url));
    expect(sent.map((u) => [u.pathname, u.searchParams.get('schema'), u.searchParams.get('start_time'), u.searchParams.get('cursor')])).toEqual([
      [`/ws/v1/monitors/history/${id}`, TEMPLATE, new Date(T0).toISOString(), null],
      [`/ws/v1/monitors/history/${id}`, TEMPLATE, new Date(T0).toISOString(), pages[0]!.cursor],
    ]);
    expect(sim.monitors().find((m) => m.id === id)!.fields).toEqual(before);
  });

  it('a template the server refuses is its 400 (category input); an answer without output is a ParseError; bad arguments name the parameter', async () => {
    const id = await client.createPollingMonitor(['DataPoint']);
    sim.publishDataPoint({ streamId: 'dev/a', data: 1 });
    const refused = await collect(client.monitorHistoryOutput(id, '{{#each this}}{{lookup . "x"}}{{/each}}')).catch((e: unknown) => e);
    expect(isHttpError(refused) && [refused.status, errorCategory(refused)]).toEqual([400, 'input']);
    const unknown = await collect(client.monitorHistoryOutput(99_999, TEMPLATE)).catch((e: unknown) => e);
    expect(isHttpError(unknown) && unknown.status).toBe(404);
    await expect(client.monitorHistoryOutput(id, '  ').next()).rejects.toThrow(new TypeError('schema must be a non-empty template string'));
    await expect(client.monitorHistoryOutput(id, 'x'.repeat(MAX_SCHEMA_LENGTH + 1)).next()).rejects.toThrow(RangeError);
    await expect(client.monitorHistoryOutput(-1, TEMPLATE).next()).rejects.toThrow(new RangeError('monitorId must be a non-negative integer'));
    await expect(client.monitorHistoryOutput(id, TEMPLATE, { pageSize: 0 }).next()).rejects.toThrow(RangeError);

    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('{"count":1,"list":[]}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const odd = new DeviceCloudClient({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, username: 'u', password: 'p', retry: false });
    try {
      const error = await collect(odd.monitorHistoryOutput(5, TEMPLATE)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ParseError);
      expect(error).toMatchObject({ message: 'unexpected /ws/v1/monitors/history/5 answer (no output)', rawPreview: '{"count":1,"list":[]}' });
    } finally {
      await odd.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("the simulator's Handlebars subset", () => {
  it('escapes {{x}} as Handlebars does, not {{{x}}} or json; each over arrays and objects with @index/@key/@first/@last; if/unless/else; comments', () => {
    const model = { name: `<a href="x">O'Neil & co</a>`, list: ['a', 'b', 'c'], map: { k1: 1, k2: 2 }, empty: [], zero: 0, nested: { v: [1, { w: 'z' }] } };
    expect(renderTemplate('{{name}}|{{{name}}}|{{json name}}|{{json nested}}', model)).toBe(
      `&lt;a href&#x3D;&quot;x&quot;&gt;O&#x27;Neil &amp; co&lt;/a&gt;|<a href="x">O'Neil & co</a>|"<a href=\\"x\\">O'Neil & co</a>"|{"v":[1,{"w":"z"}]}`,
    );
    expect(renderTemplate('{{#each list}}{{@index}}{{this}}{{#if @first}}^{{/if}}{{#if @last}}${{/if}} {{/each}}', model)).toBe('0a^ 1b 2c$ ');
    expect(renderTemplate('{{#each map}}{{@key}}={{this}};{{/each}}', model)).toBe('k1=1;k2=2;');
    expect(renderTemplate('{{#each empty}}x{{else}}none{{/each}}|{{#if zero}}y{{else}}n{{/if}}|{{#unless zero}}u{{/unless}}{{! a comment }}|{{missing.path}}|{{json missing}}', model)).toBe('none|n|u||null');
    expect(renderTemplate('{{#if nested.v}}{{#each nested.v}}[{{this.w}}]{{/each}}{{/if}}', model)).toBe('[][z]');
  });

  it('refuses what it does not read: other helpers, parent paths, unclosed or mismatched blocks, a stray else', () => {
    for (const bad of ['{{lookup this "a"}}', '{{../name}}', '{{#each list}}x', '{{#if a}}x{{/each}}', '{{else}}', '{{/if}}', '{{#with a}}x{{/with}}']) {
      expect(() => renderTemplate(bad, {}), bad).toThrow(TemplateError);
    }
  });
});
