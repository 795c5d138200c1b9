/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 60_000,
  setupFilesAfterEnv: ['<rootDir>/test/setup/background-errors.ts'],
  // Browser and media tests share two cores: run files one at a time so timings stay sane.
  maxWorkers: 1,
};
