// ESLint flat config: typescript-eslint (type-aware) + the one-way layering of src/ and no import
// cycles (see docs/decisions/0022-layers.md). Formatting is Prettier's job, so its rules are off.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'
import step from './scripts/lint/import-cycles.mjs'

/**
 * The layers of src/, lowest first (docs/decisions/0022-layers.md). A folder may import the
 * folders of lower rows only; folders on one row may not import each other.
 */
const layerOrder = [
  ['core'],
  ['data', 'models'],
  ['checkpoint'],
  ['inference'],
  ['train'],
  ['nodes'],
  ['runtime'],
  ['api'],
  ['ui', 'cli'],
]

/** Layers a folder of src/ must not import: its own row's others and every row above. */
const forbidden = Object.fromEntries(
  layerOrder.flatMap((row, i) =>
    row.map((layer) => [
      layer,
      [...row.filter((other) => other !== layer), ...layerOrder.slice(i + 1).flat()],
    ]),
  ),
)

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`, `**/src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((b) => ({
          group: [`**/${b}/*`, `**/${b}/**`, `../${b}`, `../../${b}`],
          message: `src/${layer} must not import src/${b}: layers depend downward only (docs/decisions/0022-layers.md).`,
        })),
      },
    ],
  },
}))

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-app/**',
      'out/**',
      'node_modules/**',
      'coverage/**',
      'bench/results/**',
      // Deliberate violations, linted by test/lint.test.ts with ignores off.
      'test/fixtures/lint/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { step },
    rules: { 'step/no-import-cycle': 'error' },
  },
  ...layerRules,
  prettier,
)
