import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The admin console: a static site under /console, a client of the public HTTP API only. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // Vite's own JSX transform, pointed at Preact: no framework plugin (and no Babel) in the build.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  logLevel: 'warn',
});
