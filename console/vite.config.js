// Builds the admin console into engine/console/dist, which the engine serves at /console.
// Every asset is bundled: the page makes no request to another origin.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../engine/console/dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
  },
});
