import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: { '@remote-help/protocol': fileURLToPath(new URL('./packages/protocol/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test.tsx', 'scripts/*.test.mjs'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The gate's watchdog (scripts/test.mjs): workers note which file they run.
    setupFiles: process.env['RH_VITEST_WATCHDOG'] ? ['./scripts/vitest-watchdog-setup.mjs'] : [],
  },
});
