import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXIT_CODES, UsageError, defineCommand, defineProgram, isConfigError, isUsageError, parseDuration, run } from './index.js';

class Sink extends EventEmitter {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

const seen: unknown[] = [];

const program = defineProgram({
  name: 'comap',
  version: '1.2.3',
  summary: 'ComAp cloud from the command line.',
  options: { 'base-url': { type: 'string', description: 'API base URL', env: 'COMAP_BASE_URL' } },
  environment: { COMAP_KEY: 'API key' },
  commands: [
    defineCommand({
      name: 'values',
      summary: 'Current values of a unit.',
      args: [{ name: 'unit', description: 'unit GUID or part of its name' }],
      options: {
        format: { type: 'string', description: 'output format', choices: ['json', 'csv'], default: 'json' },
        limit: { type: 'integer', description: 'rows at most', min: 1, env: 'COMAP_LIMIT' },
        guids: { type: 'list', description: 'value GUIDs', short: 'g' },
        timeout: { type: 'duration', description: 'per call' },
        ratio: { type: 'number', description: 'a number' },
        raw: { type: 'boolean', description: 'raw values' },
        key: { type: 'string', description: 'API key', env: 'COMAP_KEY', secret: true },
      },
      run({ options, args, stdout }) {
        const o: typeof options = options;
        seen.push({ ...o, unit: args.unit });
        stdout.json({ unit: args.unit, format: o.format });
      },
    }),
    defineCommand({
      name: 'connect ls',
      summary: 'List devices over Connect.',
      args: [{ name: 'ids', description: 'device ids', variadic: true, required: false }],
      run({ args, stdout }) {
        stdout.json(args.ids);
      },
    }),
    defineCommand({
      name: 'fail',
      summary: 'Fails.',
      options: { kind: { type: 'string', description: 'how', default: 'plain' } },
      run({ options, env }) {
        if (options.kind === 'config') throw new ConfigError('COMAP_KEY is not set');
        if (options.kind === 'code') return 3;
        if (options.kind === 'parseargs') throw Object.assign(new TypeError("Unknown option '--zap'. To specify a positional argument starting with a '-'"), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
        throw Object.assign(new Error(`upstream said no to key ${env.COMAP_KEY ?? ''}`), { code: 'HTTP_503' });
      },
    }),
  ],
});

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await run(program, { argv, env, stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

describe('cli kit: parsing', () => {
  it('types options: integer, list (repeated and comma-separated), duration, number, boolean, defaults, env fallback', async () => {
    seen.length = 0;
    const r = await cli(['values', 'Westport', '--limit', '5', '-g', 'a,b', '--guids=c', '--timeout', '1m30s', '--ratio=-0.5', '--raw']);
    expect(r).toEqual({ code: 0, out: '{"unit":"Westport","format":"json"}\n', err: '' });
    expect(seen[0]).toEqual({ unit: 'Westport', format: 'json', limit: 5, guids: ['a', 'b', 'c'], timeout: 90_000, ratio: -0.5, raw: true });
    await cli(['values', 'X', '--no-raw'], { COMAP_LIMIT: '7', COMAP_BASE_URL: 'http://127.0.0.1:1' });
    expect(seen[1]).toEqual({ unit: 'X', format: 'json', limit: 7, raw: false, 'base-url': 'http://127.0.0.1:1' });
  });

  it('a negative number and "--" give positionals; a nested command takes its variadic arguments', async () => {
    expect((await cli(['connect', 'ls', 'a', '-5', '--', '--b'])).out).toBe('["a","-5","--b"]\n');
    expect((await cli(['connect', 'ls'])).out).toBe('[]\n');
  });

  it('parses durations with units, bare milliseconds, and rejects the rest', () => {
    expect([parseDuration('500ms'), parseDuration('30s'), parseDuration('1h30m'), parseDuration('2d'), parseDuration('250'), parseDuration('1.5s')]).toEqual([500, 30_000, 5_400_000, 172_800_000, 250, 1500]);
    expect([parseDuration(''), parseDuration('5 parsecs'), parseDuration('s'), parseDuration('-1s')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('cli kit: usage errors (exit 2) in one format', () => {
  const hint = (path: string): string => `Run '${path} --help' for usage.\n`;
  it.each([
    [['values', 'X', '--fo', 'csv'], "unknown option --fo for 'comap values' (did you mean --format?)", 'comap values'],
    [['values', 'X', '--fromat', 'csv'], "unknown option --fromat for 'comap values' (did you mean --format?)", 'comap values'],
    [['values', 'X', '--zzz'], "unknown option --zzz for 'comap values'", 'comap values'],
    [['values', 'X', '-q'], "unknown option -q for 'comap values'", 'comap values'],
    [['values', 'X', '--limit', 'abc'], "--limit must be an integer, got 'abc'", 'comap values'],
    [['values', 'X', '--limit', '0'], "--limit must be at least 1, got '0'", 'comap values'],
    [['values', 'X', '--limit'], '--limit needs a value', 'comap values'],
    [['values', 'X', '--limit', '--raw'], '--limit needs a value', 'comap values'],
    [['values', 'X', '--ratio', '1e999'], "--ratio must be a number, got '1e999'", 'comap values'],
    [['values', 'X', '--timeout', '5 min'], "--timeout must be a duration such as 500ms, 30s, 5m or 1h, got '5 min'", 'comap values'],
    [['values', 'X', '--timeout', '30d'], "--timeout must be at most 2147483647ms (about 24.8 days), got '30d'", 'comap values'],
    [['values', 'X', '--format', 'xml'], "--format must be one of json, csv, got 'xml'", 'comap values'],
    [['values', 'X', '--raw=maybe'], "--raw must be true or false, got 'maybe'", 'comap values'],
    [['values'], "missing <unit> for 'comap values'", 'comap values'],
    [['values', 'X', 'Y'], "unexpected argument 'Y' for 'comap values'", 'comap values'],
    [['valeus'], "unknown command 'valeus' for 'comap' (did you mean 'values'?)", 'comap'],
    [['connect', 'lss'], "unknown command 'lss' for 'comap connect' (did you mean 'ls'?)", 'comap connect'],
    [[], "missing command for 'comap'", 'comap'],
    [['connect'], "missing subcommand for 'comap connect'", 'comap connect'],
    [['values', 'X', '--version'], "--version is a program option: run 'comap --version'", 'comap values'],
    [['fail', '--kind', 'parseargs'], 'unknown option --zap', 'comap fail'],
  ])('%j → %s', async (argv, message, path) => {
    expect(await cli(argv)).toEqual({ code: EXIT_CODES.usage, out: '', err: `comap: error: ${message}\n${hint(path)}` });
  });
});

describe('cli kit: failures', () => {
  it('a configuration error is 78; a bad environment value is a configuration error naming the variable', async () => {
    expect(await cli(['fail', '--kind', 'config'])).toEqual({ code: 78, out: '', err: 'comap: error: COMAP_KEY is not set\n' });
    expect(await cli(['values', 'X'], { COMAP_LIMIT: 'ten' })).toEqual({ code: 78, out: '', err: "comap: error: COMAP_LIMIT must be an integer, got 'ten'\n" });
  });

  it('any other error is 1 with message and code, secrets redacted, no stack unless --verbose or DEBUG', async () => {
    const env = { COMAP_KEY: 'k3y-very-secret-value' };
    expect(await cli(['fail'], env)).toEqual({ code: 1, out: '', err: 'comap: error: upstream said no to key [REDACTED] [HTTP_503]\n' });
    for (const [argv, extra] of [
      [['fail', '--verbose'], {}],
      [['fail'], { DEBUG: '1' }],
    ] as const) {
      const r = await cli([...argv], { ...env, ...extra });
      expect(r.code).toBe(1);
      expect(r.err.split('\n').slice(0, 2)).toEqual(['comap: error: upstream said no to key [REDACTED] [HTTP_503]', 'Error: upstream said no to key [REDACTED]']);
      expect(r.err).toMatch(/\n {4}at /);
      expect(r.err).not.toContain('k3y-very-secret-value');
    }
    expect((await cli(['fail'], { ...env, DEBUG: '0' })).err).toBe('comap: error: upstream said no to key [REDACTED] [HTTP_503]\n');
  });

  it('a returned exit code is kept', async () => {
    expect(await cli(['fail', '--kind', 'code'])).toEqual({ code: 3, out: '', err: '' });
  });

  it('error classes are branded and carry their exit code', () => {
    const fake = Object.assign(Object.create(null) as object, { [Symbol.for('@x/http-core.cli.UsageError')]: true });
    expect([new UsageError('x') instanceof UsageError, fake instanceof UsageError, isUsageError(fake), new ConfigError('c') instanceof UsageError, isConfigError(new ConfigError('c'))]).toEqual([true, true, true, false, true]);
    expect([new UsageError('x').exitCode, new ConfigError('x').exitCode, new UsageError('x').name, new ConfigError('y').name]).toEqual([2, 78, 'UsageError', 'ConfigError']);
  });
});

describe('cli kit: help and version', () => {
  it('--version prints the version (exit 0)', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, out: '1.2.3\n', err: '' });
  });

  it('program help lists commands, options and environment', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'Usage: comap <command> [options]',
        '',
        'ComAp cloud from the command line.',
        '',
        'Commands:',
        '  values      Current values of a unit.',
        '  connect ls  List devices over Connect.',
        '  fail        Fails.',
        '',
        'Options:',
        '      --base-url <string>  API base URL (env: COMAP_BASE_URL)',
        '      --version            print the version',
        '  -h, --help               show this help',
        '      --verbose            print stack traces of errors (also DEBUG=1)',
        '',
        'Environment:',
        '  COMAP_KEY  API key',
        '',
        "Run 'comap <command> --help' for a command's arguments and options.",
        '',
      ].join('\n'),
    );
    expect((await cli(['-h'])).out).toBe(r.out);
  });

  it('every command has --help (also with other arguments, even bad ones)', async () => {
    const r = await cli(['values', '--limit', 'abc', '-h']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'Usage: comap values <unit> [options]',
        '',
        'Current values of a unit.',
        '',
        'Arguments:',
        '  <unit>  unit GUID or part of its name',
        '',
        'Options:',
        '      --base-url <string>   API base URL (env: COMAP_BASE_URL)',
        '      --format <json|csv>   output format (default: json)',
        '      --limit <integer>     rows at most (env: COMAP_LIMIT)',
        '  -g, --guids <a,b,...>     value GUIDs',
        '      --timeout <duration>  per call',
        '      --ratio <number>      a number',
        '      --raw                 raw values',
        '      --key <string>        API key (env: COMAP_KEY)',
        '  -h, --help                show this help',
        '      --verbose             print stack traces of errors (also DEBUG=1)',
        '',
      ].join('\n'),
    );
    expect((await cli(['connect', 'ls', '--help'])).out.split('\n')[0]).toBe('Usage: comap connect ls [<ids>...] [options]');
    expect((await cli(['connect', '--help'])).out.split('\n').slice(0, 6)).toEqual(['Usage: comap connect <command> [options]', '', 'ComAp cloud from the command line.', '', 'Commands:', '  connect ls  List devices over Connect.']);
  });
});

describe('cli kit: output and EPIPE', () => {
  it('writes JSON lines, tables and CSV', async () => {
    const p = defineProgram({
      name: 'out',
      version: '1',
      summary: 's',
      commands: [
        defineCommand({
          name: 'all',
          summary: 's',
          run({ stdout }) {
            stdout.table([{ id: 1, name: 'alpha beta' }, { id: 22, name: null }]);
            stdout.csvHeader(['a', 'b']);
            stdout.csvRow({ a: 'x,"y"', b: new Date(0) }, ['a', 'b']);
            stdout.csvRow({ a: [1, 2], b: 'line\nbreak' }, ['a', 'b']);
          },
        }),
      ],
    });
    const out = new Sink();
    expect(await run(p, { argv: ['all'], stdout: out, stderr: new Sink() })).toBe(0);
    expect(out.text).toBe('ID  NAME\n1   alpha beta\n22  \na,b\n"x,""y""",1970-01-01T00:00:00.000Z\n"[1,2]","line\nbreak"\n');
  });

  it('EPIPE on stdout aborts the command, drops later writes and exits 0 without a message', async () => {
    let writes = 0;
    const stdout = new Sink();
    stdout.write = (chunk: string): boolean => {
      writes += 1;
      if (writes === 3) queueMicrotask(() => stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })));
      stdout.text += chunk;
      return true;
    };
    const p = defineProgram({
      name: 'gen',
      version: '1',
      summary: 's',
      commands: [
        defineCommand({
          name: 'lines',
          summary: 's',
          async run({ stdout: out, signal }) {
            for (let i = 0; ; i += 1) {
              out.json(i);
              await new Promise((r) => setTimeout(r, 1));
              signal.throwIfAborted();
            }
          },
        }),
      ],
    });
    const stderr = new Sink();
    expect(await run(p, { argv: ['lines'], stdout, stderr })).toBe(0);
    expect([stdout.text, stderr.text, writes]).toEqual(['0\n1\n2\n', '', 3]);
  });

  it('an interrupted command exits with the reason’s code (130 by default)', async () => {
    const controller = new AbortController();
    const p = defineProgram({
      name: 'sim',
      version: '1',
      summary: 's',
      commands: [
        defineCommand({
          name: 'simulate',
          summary: 's',
          async run({ signal, stdout }) {
            stdout.json({ ready: true });
            if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          },
        }),
      ],
    });
    const done = run(p, { argv: ['simulate'], stdout: new Sink(), stderr: new Sink(), signal: controller.signal });
    controller.abort();
    expect(await done).toBe(130);
    const again = new AbortController();
    again.abort({ exitCode: 143 });
    expect(await run(p, { argv: ['simulate'], stdout: new Sink(), stderr: new Sink(), signal: again.signal })).toBe(143);
  });
});

describe('cli kit: specs are checked up front', () => {
  const command = { name: 'x', summary: 's', run: () => undefined };
  it.each([
    [{ name: 'Bad', version: '1', summary: 's', commands: [command] }, 'program name must be a lower-case word, got Bad'],
    [{ name: 'p', version: '1', summary: 's', commands: [command, command] }, 'command "x" is defined twice'],
    [{ name: 'p', version: '1', summary: 's', commands: [{ ...command, options: { help: { type: 'boolean', description: 'd' } } }] }, 'options of "x": --help is built in'],
    [{ name: 'p', version: '1', summary: 's', commands: [{ ...command, options: { n: { type: 'float', description: 'd' } } }] }, 'options of "x": --n has an unknown type float'],
    [{ name: 'p', version: '1', summary: 's', commands: [{ ...command, options: { n: { type: 'string', short: 'h', description: 'd' } } }] }, 'options of "x": -h of --n must be one unused letter'],
    [{ name: 'p', version: '1', summary: 's', commands: [{ ...command, args: [{ name: 'a', description: 'd', variadic: true }, { name: 'b', description: 'd' }] }] }, 'variadic argument <a> of "x" must be the last'],
  ])('%#: %s', (spec, message) => {
    expect(() => defineProgram(spec as never)).toThrow(new TypeError(message));
  });
});
