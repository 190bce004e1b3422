/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // test/calendar runs at pinned instants only (scripts/date-check.sh sets GONGZHI_TEST_NOW).
  testPathIgnorePatterns: process.env.GONGZHI_TEST_NOW
    ? ['/node_modules/']
    : ['/node_modules/', '<rootDir>/test/calendar/'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 120_000,
  // Two cores: each test file runs a worker or a test server of its own.
  maxWorkers: 2,
};
