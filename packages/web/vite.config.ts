/**
 * @module vite.config
 * Build of the browser front end. The server serves `dist/` with an SPA fallback
 * (`/`, `/help*`, `/share*` → `index.html`, assets under `/assets/*`).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const server = 'http://127.0.0.1:8080';
/** During `vite` and `vite preview`, the API, sign-in and OIDC routes (and WebSockets) go to the local server. */
const proxy = {
  '/api': { target: server, ws: true, changeOrigin: false },
  '/auth': { target: server, ws: true, changeOrigin: false },
  '/oidc': { target: server, ws: true, changeOrigin: false },
};

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@remote-help/protocol': fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // No maps in what the server ships: they would publish the sources (`vite` dev serves them anyway).
    sourcemap: false,
    rollupOptions: {
      output: {
        // Long-lived vendor chunks: they change far less often than the app.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(@fluentui|@griffel|@floating-ui|tabster|keyborg|@swc)\//.test(id)) return 'fluent';
          if (/node_modules\/(react|react-dom|scheduler|react-router|cookie|set-cookie-parser)\//.test(id))
            return 'react';
          if (/node_modules\/(i18next|react-i18next|html-parse-stringify|void-elements)\//.test(id)) return 'i18n';
          if (id.includes('node_modules/zod/')) return 'zod';
          return 'vendor';
        },
      },
    },
  },
  server: { proxy },
  preview: { proxy },
});
