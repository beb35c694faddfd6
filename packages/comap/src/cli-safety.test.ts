import { createRateLimiter } from '@x/http-core';
import { run } from '@x/http-core/cli';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliSettings } from './cli/credentials.js';
import { comapProgram } from './cli/program.js';
import { VALUE_GUID } from './index.js';
import { startComapSimulator, type ComapSimulator } from './testing/index.js';

// Commands that cannot hit the wrong genset: unit names match one unit or nothing is sent; values go as typed.
const open: ComapSimulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

const tokenRateLimiter = createRateLimiter({ tokensPerInterval: 1000, intervalInMs: 1000 });

async function setup(units = 3, settings: CliSettings = {}): Promise<{ sim: ComapSimulator; comap: (argv: string[]) => Promise<{ code: number; out: string; err: string }> }> {
  const sim = await startComapSimulator({ units, rateLimit: false, tokenRequestLimit: false, seed: 5, now: () => Date.UTC(2024, 5, 1, 12) });
  open.push(sim);
  const env = { COMAP_KEY: sim.key, COMAP_CLIENT_ID: sim.clientId, COMAP_SECRET: sim.secret, COMAP_LOGIN_ID: sim.loginId, COMAP_BASE_URL: sim.url };
  const comap = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await run(comapProgram({ rateLimit: false, tokenRateLimiter }, settings), {
      argv,
      env,
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    });
    return { code, out, err };
  };
  return { sim, comap };
}

const commandsSent = (sim: ComapSimulator) => sim.requests.filter((r) => r.path.endsWith('/command'));

describe('comap command: the unit', () => {
  it('"Hospital" (contained in three names) is a usage error listing the three; nothing is sent', async () => {
    const { sim, comap } = await setup();
    expect(sim.units.map((u) => u.name)).toEqual(['Westport Hospital 1', 'Brno Hospital 2', 'Lakeside Hospital 3']);
    const r = await comap(['command', 'Hospital', 'stop', '--yes']);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toBe(
      'comap: error: "Hospital" matches no unit name or name prefix; 3 names contain it: "Westport Hospital 1", "Brno Hospital 2", "Lakeside Hospital 3"; name one unit (or pass its GUID)\nRun \'comap command --help\' for usage.\n',
    );
    expect(commandsSent(sim)).toEqual([]);
  });

  it('an ambiguous prefix is a usage error listing the candidates; a full name (any case) or a unique prefix is one unit', async () => {
    const { sim, comap } = await setup(12);
    // Units 1 and 11 share the place "Westport".
    let r = await comap(['command', 'westport', 'stop', '--yes']);
    expect([r.code, r.err]).toEqual([2, 'comap: error: "westport" is ambiguous: 2 unit names start with it: "Westport Hospital 1", "Westport Data Center 11"; name one unit (or pass its GUID)\nRun \'comap command --help\' for usage.\n']);
    expect(commandsSent(sim)).toEqual([]);
    r = await comap(['command', 'WESTPORT HOSPITAL 1', 'stop', '--yes']);
    expect(r.code).toBe(0);
    r = await comap(['command', 'Westport Data', 'stop', '--yes']);
    expect(r.code).toBe(0);
    expect(commandsSent(sim).map((q) => q.path.split('/')[4])).toEqual([sim.units[0]!.unitGuid, sim.units[10]!.unitGuid]);
    r = await comap(['info', 'Nowhere']);
    expect([r.code, r.err]).toEqual([1, 'comap: error: no unit is named or starts with "Nowhere" [COMAP_NOT_FOUND]\n']);
  });
});

describe('comap command: values are sent as typed', () => {
  it('--value 00123 and +420777123456 go as the exact strings; --number sends a number', async () => {
    const { sim, comap } = await setup();
    const u = sim.units[0]!;
    for (const value of ['00123', '+420777123456', '1e3', ' 7 ']) {
      const r = await comap(['command', u.unitGuid, 'changeSetpoint', '--guid', VALUE_GUID.genset_name, '--value', value, '--yes']);
      expect([r.code, r.err]).toEqual([0, '']);
    }
    const r = await comap(['command', u.unitGuid, 'changeSetpoint', '--guid', VALUE_GUID.base_load, '--value', '250.5', '--number', '--yes']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(commandsSent(sim).map((q) => (q.body as { value: unknown }).value)).toEqual(['00123', '+420777123456', '1e3', ' 7 ', 250.5]);
  });

  it('an empty --value (an unset shell variable) is refused, also for extValue; --number needs a number; nothing is sent', async () => {
    const { sim, comap } = await setup();
    const u = sim.units[0]!;
    let r = await comap(['command', u.unitGuid, 'changeSetpoint', '--guid', VALUE_GUID.genset_name, '--value', '', '--yes']);
    expect([r.code, r.err]).toEqual([2, "comap: error: --value must not be empty\nRun 'comap command --help' for usage.\n"]);
    r = await comap(['command', u.unitGuid, 'extValue', '--index', '1', '--value', '', '--yes']);
    expect([r.code, r.err]).toEqual([2, "comap: error: --value must not be empty\nRun 'comap command --help' for usage.\n"]);
    r = await comap(['command', u.unitGuid, 'extValue', '--index', '1', '--value', '0x10', '--yes']);
    expect([r.code, r.err]).toEqual([2, 'comap: error: --value must be a decimal number for extValue, got "0x10"\nRun \'comap command --help\' for usage.\n']);
    r = await comap(['command', u.unitGuid, 'changeSetpoint', '--guid', VALUE_GUID.base_load, '--value', 'abc', '--number', '--yes']);
    expect([r.code, r.err]).toEqual([2, 'comap: error: --value must be a decimal number with --number, got "abc"\nRun \'comap command --help\' for usage.\n']);
    r = await comap(['command', u.unitGuid, '--json', '{"command":"changeSetpoint","guid":"g","value":""}', '--yes']);
    expect([r.code, r.err]).toEqual([2, "comap: error: command.value must not be empty\nRun 'comap command --help' for usage.\n"]);
    expect(commandsSent(sim)).toEqual([]);
  });
});

describe('comap command: confirmation', () => {
  it('without a terminal and without --yes nothing is sent (usage error); --dry-run prints the request', async () => {
    const { sim, comap } = await setup();
    const u = sim.units[0]!;
    let r = await comap(['command', 'Westport', 'stop']);
    expect([r.code, r.out, r.err]).toEqual([2, '', `comap: error: send {"command":"stop"} to "Westport" (${u.unitGuid}): confirm with --yes (no terminal to ask on), or see the request with --dry-run\nRun 'comap command --help' for usage.\n`]);
    r = await comap(['command', 'Westport', 'changeSetpoint', '--guid', VALUE_GUID.genset_name, '--value', '00123', '--dry-run']);
    expect([r.code, r.err, JSON.parse(r.out)]).toEqual([0, '', { dryRun: true, method: 'POST', path: `/v1.1/${sim.loginId}/units/${u.unitGuid}/command`, body: { command: 'changeSetpoint', guid: VALUE_GUID.genset_name, value: '00123' } }]);
    expect(commandsSent(sim)).toEqual([]);
  });

  it('on a terminal the question names the command and the unit; "no" sends nothing (exit 1), "yes" sends once', async () => {
    const questions: string[] = [];
    const answers = [false, true];
    const { sim, comap } = await setup(3, { confirm: (q) => (questions.push(q), Promise.resolve(answers.shift() ?? false)) });
    const u = sim.units[1]!;
    let r = await comap(['command', u.unitGuid, 'start']);
    expect([r.code, r.out, r.err]).toEqual([1, '', 'not sent\n']);
    expect(commandsSent(sim)).toEqual([]);
    r = await comap(['command', u.unitGuid, 'start']);
    expect([r.code, r.err, JSON.parse(r.out)]).toEqual([0, '', { unitGuid: u.unitGuid, status: 200, body: { message: 'Command was successfully sent.' } }]);
    expect(questions).toEqual([`send {"command":"start"} to ${u.unitGuid}?`, `send {"command":"start"} to ${u.unitGuid}?`]);
    expect(commandsSent(sim).map((q) => q.body)).toEqual([{ command: 'start' }]);
  });
});

describe('comap command changeMode: checked against the unit', () => {
  it('a mode the unit does not offer is a usage error listing modes_available; nothing is sent', async () => {
    const { sim, comap } = await setup();
    const u = sim.units[0]!;
    const r = await comap(['command', u.unitGuid, 'changeMode', '--mode', 'auto', '--yes']);
    expect([r.code, r.out, r.err]).toEqual([2, '', `comap: error: mode "auto" is not available on unit ${u.unitGuid}: OFF, MAN, AUT, TEST\nRun 'comap command --help' for usage.\n`]);
    expect(commandsSent(sim)).toEqual([]);
  });

  it('a login without the control permission is refused (auth, exit 1); an available mode is sent in the unit\'s spelling', async () => {
    const { sim, comap } = await setup();
    const u = sim.units[0]!;
    sim.answerWith('/permissions', { unitGuid: u.unitGuid, permissions: [{ loginId: sim.loginId, read: true, control: false, modify: false, shutdownNote: false, allAlarmsNote: false }] });
    let r = await comap(['command', u.unitGuid, 'changeMode', '--mode', 'man', '--yes']);
    expect([r.code, r.err]).toEqual([1, `comap: error: login "${sim.loginId}" may not control unit ${u.unitGuid} [COMAP_COMMAND_REFUSED]\n`]);
    expect(commandsSent(sim)).toEqual([]);
    r = await comap(['command', u.unitGuid, 'changeMode', '--mode', 'man', '--yes']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(commandsSent(sim).map((q) => q.body)).toEqual([{ command: 'changeMode', mode: 'MAN' }]);
  });
});

describe('comap command: a lost answer (the unit may have acted)', () => {
  it('without --wait: exit 4, nothing on stdout, the error says how to read the unit; sent once, executed once', async () => {
    const { sim, comap } = await setup();
    const u = sim.units.find((x) => !x.state.running)!;
    sim.loseCommandAnswers(1);
    const r = await comap(['command', u.unitGuid, 'start', '--yes']);
    expect([r.code, r.out]).toEqual([4, '']);
    expect(r.err).toMatch(
      new RegExp(`^comap: error: the answer to start was lost \\(.+\\): the unit may have executed it; read the unit before sending it again; not sent again \\(outcome unknown, exit 4\\): \`comap values ${u.unitGuid} --guids ${VALUE_GUID.engine_state}\` shows whether it acted \\[COMAP_COMMAND_OUTCOME_UNKNOWN\\]\\n$`),
    );
    expect(commandsSent(sim).map((q) => [q.body, q.status])).toEqual([[{ command: 'start' }, -1]]);
    expect([u.commands.length, u.state.running]).toEqual([1, true]);
  });

  it('a command with no value to read points at all values; a refused command stays exit 1', async () => {
    const { sim, comap } = await setup();
    const u = sim.units[0]!;
    sim.loseCommandAnswers(1);
    let r = await comap(['command', u.unitGuid, 'faultReset', '--yes']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(new RegExp(`; not sent again \\(outcome unknown, exit 4\\): \`comap values ${u.unitGuid}\` shows whether it acted \\[COMAP_COMMAND_OUTCOME_UNKNOWN\\]\\n$`));
    r = await comap(['command', u.unitGuid, 'changeSetpoint', '--guid', '00000000-0000-0000-0000-000000000000', '--value', 'x', '--yes']);
    expect([r.code, r.err]).toEqual([1, expect.stringMatching(/^comap: error: .*Unknown setpoint/) as string]);
    expect(commandsSent(sim).map((q) => q.status)).toEqual([-1, 400]);
  });
});
