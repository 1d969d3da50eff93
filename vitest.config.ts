import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no servers; `integration` talks to the real Kafka and Elasticsearch
// that test/integration/global-setup.ts starts (unless KAFKA_BROKERS and ES_URL are set).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/golden/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
