/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The built canvas is served by `fusionflow serve` at `/`, with the API on the
// same origin under `/api`. In development, `npm run dev` proxies `/api` to a
// local API (FUSIONFLOW_API, default http://127.0.0.1:8000).
const api = process.env.FUSIONFLOW_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: { proxy: { '/api': { target: api, changeOrigin: true } } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
