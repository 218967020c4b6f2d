// One jest process for the infra tier. The global setup synthesizes the whole app once into
// cdk.out/ (cfn-lint and checkov read the same templates); the suites read that assembly.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/cdk.out/', '<rootDir>/out/'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'commonjs' } },
    ],
  },
  // Synthesis of every stack of both environments takes a while on a shared 2-core machine.
  testTimeout: 120000,
};
