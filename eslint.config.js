// ESLint flat config: typescript-eslint (type-aware) + the one-way layering of src/ (see
// docs/decisions/0002-layers.md). Formatting is Prettier's job, so its rules are switched off.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

/** Layers a folder of src/ must not import (dependencies point one way only). */
const forbidden = {
  core: ['models', 'data', 'train', 'nodes', 'runtime', 'api', 'ui', 'cli'],
  models: ['data', 'train', 'nodes', 'runtime', 'api', 'ui', 'cli'],
  data: ['models', 'train', 'nodes', 'runtime', 'api', 'ui', 'cli'],
  train: ['nodes', 'runtime', 'api', 'ui', 'cli'],
  nodes: ['runtime', 'api', 'ui', 'cli'],
  runtime: ['api', 'ui', 'cli'],
  api: ['ui', 'cli'],
  ui: ['cli'],
  cli: ['ui'],
}

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((b) => ({
          group: [`**/${b}/*`, `**/${b}/**`, `../${b}`, `../../${b}`],
          message: `src/${layer} must not import src/${b}: layers depend downward only (docs/decisions/0002-layers.md).`,
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
  ...layerRules,
  prettier,
)
