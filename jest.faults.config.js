/** Fault tests: real processes, real PostgreSQL, real SMTP killed and restarted (`npm run test:faults`). */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  testTimeout: 240000,
  maxWorkers: 1,
};
