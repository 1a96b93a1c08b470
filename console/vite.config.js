// Builds the admin console into engine/console/dist, which the engine serves at /console.
// Every asset is bundled: the page makes no request to another origin.
import { defineConfig } from 'vite';

// GraphiQL's stylesheet embeds its web fonts (Roboto, Fira Code) as base64: 360 kB of its
// 425 kB. The console uses the system's fonts instead (GraphiQL falls back to them).
const dropEmbeddedFonts = {
  name: 'drop-embedded-fonts',
  transform(code, id) {
    if (!id.includes('graphiql') || !id.split('?')[0].endsWith('.css')) return null;
    return { code: code.replace(/@font-face\s*\{[^}]*\}/g, ''), map: null };
  },
};

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  logLevel: 'warn',
  plugins: [dropEmbeddedFonts],
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../engine/console/dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2000,
    modulePreload: { polyfill: false },
  },
});
