/** One jest run: unit specs next to the code, integration specs against a real PostgreSQL. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@zhengwu/contracts$': '<rootDir>/libs/contracts/src',
    '^@zhengwu/engine$': '<rootDir>/libs/engine/src',
    '^@zhengwu/pdf$': '<rootDir>/libs/pdf/src',
    '^@zhengwu/ofd$': '<rootDir>/libs/ofd/src',
    '^@zhengwu/seal$': '<rootDir>/libs/seal/src',
  },
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
