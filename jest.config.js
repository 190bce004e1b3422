/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // test/calendar runs at pinned instants only (scripts/date-check.sh sets GONGZHI_TEST_NOW);
  // test/chaos (kill -9 of every part, minutes long) by `npm run chaos`, which sets GONGZHI_CHAOS.
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.GONGZHI_TEST_NOW ? [] : ['<rootDir>/test/calendar/']),
    ...(process.env.GONGZHI_CHAOS ? [] : ['<rootDir>/test/chaos/']),
  ],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 120_000,
  // Two cores: each test file runs a worker or a test server of its own.
  maxWorkers: 2,
};
