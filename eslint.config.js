// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'data', 'coverage', 'models/artifacts', '.bench-out'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Tests run on a fixed calendar (test/helpers/fixed-clock.ts): the simulator only through the
    // helper that requires an explicit end, and no `new Date()` (today) as data. Date.now() stays
    // allowed for deadlines and durations.
    files: ['test/**/*.ts'],
    ignores: ['test/helpers/simulation.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src/simulator', '**/src/simulator/*'],
              importNames: ['simulate', 'simulateToStore'],
              message:
                'Import them from test/helpers/simulation.ts, which requires an explicit `end` (TEST_END).',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message:
            'Tests must not take today as data: use TEST_NOW / TEST_END from test/helpers/fixed-clock.ts.',
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
