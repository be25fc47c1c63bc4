// Lint rules: the recommended type-aware TypeScript set, plus floating-promise checks,
// because an un-awaited API call in a reconcile step is an error that is silently lost; and limits
// on line length (the formatter's) and on the complexity of one function.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'charts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    rules: {
      // Prettier's printWidth (prettier.config.js). Prettier cannot break a string, a template
      // literal, a regular expression or a URL, so those may run longer; it does not wrap comments,
      // so this is what keeps them short.
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
      // ESLint's usual limit: a function with more paths than this reads as several functions and
      // is split into named steps.
      complexity: ['error', 20],
    },
  },
  {
    // Generated from the CRDs: their descriptions are the CRD authors' prose, line for line.
    files: ['src/api/generated/**', 'src/api/upstream/**'],
    rules: { 'max-len': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
  },
);
