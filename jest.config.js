/** Jest runs TypeScript through SWC: type checking is `npm run typecheck`'s job, not the test runner's. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
};
