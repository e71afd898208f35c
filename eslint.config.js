// ESLint (npm run lint): paved's layering and import cycles (lint/paved-rules.js) and typescript-eslint's recommended rules.
import tseslint from 'typescript-eslint';
import paved from './lint/paved-rules.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', 'fixtures/**', 'examples/**', 'scaffold/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { paved },
    rules: {
      'paved/layering': 'error',
      'paved/no-cycle': 'error',
      // `_name` discards a value on purpose: a destructured field left out of the rest, an unused parameter.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The policy reads emitted manifests and HCL of every kind as plain JSON, and tests poke at it the same way.
    files: ['compiler/policy/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
