/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The Python API serves dist/ at "/" and falls back to index.html for client
// routes; API routes are same-origin. In dev, proxy them to the local API.
const API_TARGET = 'http://127.0.0.1:8000';
const API_PREFIXES = ['/auth', '/fleet', '/bolt', '/audit', '/admin', '/sync', '/people', '/healthz'];

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    // Keys starting with ^ are regular expressions: match /auth, /auth/… and
    // /auth?…, but not a client route such as /authors.
    proxy: Object.fromEntries(
      API_PREFIXES.map((prefix) => [`^${prefix}(?=/|\\?|$)`, { target: API_TARGET }]),
    ),
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
