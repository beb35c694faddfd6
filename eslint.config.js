// Type-aware lint for the whole monorepo. The import rules keep the architecture honest:
// only @x/http-core talks to undici, vendor packages never depend on each other, and nobody
// reaches into another package's src or dist.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vendorPackages = ['comap', 'devicecloud-monitor', 'thinq', 'sepl-connector'];

const deepImportPatterns = [
  {
    group: ['@x/*/src', '@x/*/src/*', '@x/*/dist', '@x/*/dist/*', '**/packages/*/src/**', '**/packages/*/dist/**', '**/apps/*/src/**'],
    message: 'Import another package through its public entry ("@x/name" or "@x/name/testing"), never its src or dist.',
  },
];

const undiciPaths = [
  { name: 'undici', message: 'Only @x/http-core may import undici: go through @x/http-core.' },
];
const undiciPatterns = [{ group: ['undici/*'], message: 'Only @x/http-core may import undici: go through @x/http-core.' }];

/** The restricted-import rule for one workspace folder (a later config replaces, not merges, a rule). */
function importRules({ allowUndici, forbiddenPackages }) {
  const paths = allowUndici ? [] : [...undiciPaths];
  const patterns = [...deepImportPatterns, ...(allowUndici ? [] : undiciPatterns)];
  for (const name of forbiddenPackages) {
    paths.push({ name: `@x/${name}`, message: 'A vendor package may not import another vendor package.' });
    patterns.push({ group: [`@x/${name}/*`], message: 'A vendor package may not import another vendor package.' });
  }
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/coverage/**', '**/node_modules/**', '**/.turbo/**', 'apps/*/public/vendor/**', '**/*.d.ts', '**/*.d.cts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'tooling/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      ...importRules({ allowUndici: false, forbiddenPackages: [] }),
    },
  },
  {
    files: ['packages/http-core/**'],
    rules: importRules({ allowUndici: true, forbiddenPackages: vendorPackages }),
  },
  ...vendorPackages.map((name) => ({
    files: [`packages/${name}/**`],
    rules: importRules({ allowUndici: false, forbiddenPackages: vendorPackages.filter((other) => other !== name) }),
  })),
  {
    // Tests may poke at internals and use loose typing on purpose; keep the safety rules.
    files: ['**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // TypeScript already knows Node's globals; plain JS scripts get the same trust.
    files: ['**/*.js', '**/*.mjs'],
    rules: { 'no-undef': 'off' },
  },
);
