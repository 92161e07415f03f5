/** Jest runs TypeScript through SWC: type checking is `npm run typecheck`'s job, not the test runner's. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[cm]?[tj]s$': ['@swc/jest'] },
  // The packages are ES modules whose relative imports name the built `.js` file; in tests they are the `.ts`.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // jose ships ES modules only; SWC compiles them to CommonJS for Jest (Node 24.9+ would not need this). The
  // Lambda InvokeStore loads node:async_hooks with a dynamic import, which Jest's CommonJS runtime refuses.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@aws/lambda-invoke-store)/)'],
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
  // Every stand-in answer is checked against the pinned SDK's declarations; a broken one fails the file.
  setupFilesAfterEnv: ['<rootDir>/test/support/stand-in-contract.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};
