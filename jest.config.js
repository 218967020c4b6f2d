// Two projects: unit specs beside the code (no services), e2e specs in test/ (the local stack).
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

// .local/ holds the stack, tool venvs and the image replay's copy of this package (whose
// package.json would clash with ours in Jest's module map): never a module or a test.
// infra/ is a package of its own with its own jest config (scripts/infra-test.sh).
const modulePathIgnorePatterns = ['<rootDir>/.local/', '<rootDir>/infra/'];

/** @type {import('jest').Config} */
module.exports = {
  // e2e specs boot the whole app against real services; a shared 2-core machine needs headroom.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/support/quiet-nest-logger.ts'],
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      slowTestThreshold: 30,
    },
    {
      // Tests that spawn, pause or kill processes (replicas of `node dist/main.js`, a private
      // FerretDB, signals, crashes, graceful shutdown); run via test:fault, one suite at a time.
      displayName: 'fault',
      testEnvironment: 'node',
      rootDir: '.',
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/test/fault/**/*.fault-spec.ts'],
      transform,
      slowTestThreshold: 60,
    },
  ],
};
