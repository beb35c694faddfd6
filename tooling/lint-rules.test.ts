// Proves that the architecture rules of eslint.config.js fail when violated: each case lints a
// snippet as if it lived in a given package and expects the named rule to fire (or stay quiet).
import { ESLint } from 'eslint';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The probes never touch the disk, so the project service opens them in its default project;
// only parser options are overridden here, the rules under test are the repo's own.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    files: ['**/lint-probe.ts'],
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['packages/*/src/lint-probe.ts', 'apps/*/src/lint-probe.ts'],
          defaultProject: 'tsconfig.base.json',
        },
        tsconfigRootDir: root,
      },
    },
  },
});

async function ruleIds(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, relativePath) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('architecture lint rules', () => {
  it('forbids undici outside http-core', async () => {
    const code = "import { request } from 'undici';\nexport const r = request;\n";
    expect(await ruleIds('packages/comap/src/lint-probe.ts', code)).toContain('no-restricted-imports');
    expect(await ruleIds('apps/fleet/src/lint-probe.ts', code)).toContain('no-restricted-imports');
    expect(await ruleIds('packages/http-core/src/lint-probe.ts', code)).not.toContain('no-restricted-imports');
  }, 60_000);

  it('forbids undici subpaths outside http-core', async () => {
    const code = "import { Agent } from 'undici/types/agent';\nexport type A = Agent;\n";
    expect(await ruleIds('packages/thinq/src/lint-probe.ts', code)).toContain('no-restricted-imports');
  }, 60_000);

  it('forbids a vendor package importing another vendor package', async () => {
    const code = "import * as thinq from '@x/thinq';\nexport const names: string[] = Object.keys(thinq);\n";
    expect(await ruleIds('packages/comap/src/lint-probe.ts', code)).toContain('no-restricted-imports');
    const testing = "import * as t from '@x/sepl-connector/testing';\nexport const n = t;\n";
    expect(await ruleIds('packages/devicecloud-monitor/src/lint-probe.ts', testing)).toContain('no-restricted-imports');
    // The app may use every package.
    expect(await ruleIds('apps/fleet/src/lint-probe.ts', code)).not.toContain('no-restricted-imports');
  }, 60_000);

  it('forbids deep imports into src or dist', async () => {
    const deep = "import * as core from '@x/http-core/src/index.js';\nexport const c = core;\n";
    expect(await ruleIds('packages/comap/src/lint-probe.ts', deep)).toContain('no-restricted-imports');
    const dist = "import * as core from '@x/http-core/dist/index.js';\nexport const c = core;\n";
    expect(await ruleIds('apps/fleet/src/lint-probe.ts', dist)).toContain('no-restricted-imports');
    const relative = "import * as core from '../../../packages/http-core/src/index.js';\nexport const c = core;\n";
    expect(await ruleIds('apps/fleet/src/lint-probe.ts', relative)).toContain('no-restricted-imports');
  }, 60_000);

  it('forbids floating promises', async () => {
    const code = 'async function work(): Promise<void> {}\nexport function run(): void {\n  work();\n}\n';
    expect(await ruleIds('packages/sepl-connector/src/lint-probe.ts', code)).toContain('@typescript-eslint/no-floating-promises');
  }, 60_000);

  it('requires exhaustive switches over unions', async () => {
    const code = [
      "type Kind = 'a' | 'b' | 'c';",
      'export function name(kind: Kind): string {',
      '  switch (kind) {',
      "    case 'a':",
      "      return 'A';",
      "    case 'b':",
      "      return 'B';",
      '  }',
      "  return '?';",
      '}',
      '',
    ].join('\n');
    expect(await ruleIds('packages/http-core/src/lint-probe.ts', code)).toContain('@typescript-eslint/switch-exhaustiveness-check');
  }, 60_000);

  it('accepts clean code', async () => {
    const code = "import * as core from '@x/http-core';\nexport const names: string[] = Object.keys(core);\n";
    expect(await ruleIds('packages/comap/src/lint-probe.ts', code)).toEqual([]);
  }, 60_000);
});
