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
    // Tests run on a fixed calendar (test/helpers/fixed-clock.ts): the simulator (its functions and
    // `sibyl simulate`) only through the helpers that require an explicit end, and no today as data
    // (`new Date()`, `Date()`, `new Date(Date.now() …)`). Date.now() alone stays allowed for deadlines
    // and durations.
    files: ['test/**/*.ts'],
    ignores: ['test/helpers/simulation.ts', 'test/helpers/simulate-cli.ts'],
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
            {
              group: ['**/src/cli/commands/simulate', '**/src/cli/commands/simulate.js'],
              importNames: ['registerSimulate'],
              message:
                'Run `sibyl simulate` through sibylSimulate in test/helpers/simulate-cli.ts, which requires --end.',
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
        {
          selector: "CallExpression[callee.type='Identifier'][callee.name='Date']",
          message: 'Date() is today as a string: use TEST_NOW / TEST_END from test/helpers/fixed-clock.ts.',
        },
        {
          selector:
            "NewExpression[callee.name='Date'] CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message:
            'A date from Date.now() is today as data: use an offset from TEST_NOW / TEST_END (test/helpers/fixed-clock.ts).',
        },
        {
          // A dynamic import would reach the simulator around the import rule above.
          selector: 'ImportExpression[source.value=/src.simulator/]',
          message:
            'Import the simulator from test/helpers/simulation.ts, which requires an explicit `end` (TEST_END).',
        },
        {
          // A computed path would hide what it imports from the rules above.
          selector: "ImportExpression[source.type!='Literal']",
          message: 'Tests import by a literal path, so that these rules can see what they import.',
        },
        {
          // `sibyl simulate` (in process through buildProgram, or spawned) defaults --end to today; an
          // argument list names the command as a literal.
          selector: "ArrayExpression > Literal[value='simulate']",
          message:
            'sibyl simulate defaults --end to today: run it through sibylSimulate (test/helpers/simulate-cli.ts), which requires --end.',
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
