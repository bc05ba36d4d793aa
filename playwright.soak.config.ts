/**
 * `npm run bench:soak`: the long-session measurements (the `.soak.ts` files under e2e), with the journeys'
 * server and browser settings. Not part of the test command: they take minutes by design.
 */
import { defineConfig } from '@playwright/test';
import base from './playwright.config.js';

export default defineConfig({
  ...base,
  testMatch: '**/*.soak.ts',
  reporter: [['list']],
});
