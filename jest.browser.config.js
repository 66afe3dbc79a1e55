/** Browser tests: a real chromium (Debian's) driven by playwright-core against the real platform. */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 180000,
  maxWorkers: 1,
};
