import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'static/vendor/', '.test-tmp/', '.demo-data/', 'data/', 'bench/data/', 'migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', TextEncoder: 'readonly', crypto: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
      // Input validation deliberately looks for control characters.
      'no-control-regex': 'off',
    },
  },
  {
    // A bound LIMIT makes SQLite plan the statement again on every run (src/db/paging.ts).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "TaggedTemplateExpression[tag.name='sql'] TemplateElement[value.raw=/LIMIT\\s*$/i]",
          message: 'Write the limit with limitRows (src/db/paging.ts): SQLite plans a statement with a bound LIMIT again on every run.',
        },
        {
          selector: "CallExpression[callee.property.name='limit'][arguments.0.callee.name!='rowLimit']",
          message: 'Write the limit with rowLimit (src/db/paging.ts): SQLite plans a statement with a bound LIMIT again on every run.',
        },
      ],
    },
  },
  {
    files: ['static/**/*.js'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly', Element: 'readonly', KeyboardEvent: 'readonly', htmx: 'readonly', setInterval: 'readonly' } },
  },
  {
    files: ['scripts/**', 'bin/**', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
);
