/**
 * The end-to-end pipeline test (test/e2e): a real Prometheus and Alertmanager on loopback, run in band
 * (one at a time: it starts processes and measures timings on a shared 2-core machine). Each phase bounds
 * its own waits; the timeout only catches a harness bug.
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 10 * 60_000,
};
