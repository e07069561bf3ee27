import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export const CONSOLE_ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the console into `outDir` (default `console/dist`) with the project's Vite config and
 * answers the folder. Tests build into a folder of their own, so parallel test files never share one.
 */
export async function buildConsole(outDir?: string): Promise<string> {
  const configFile = fileURLToPath(new URL('vite.config.ts', import.meta.url));
  const target = outDir ?? fileURLToPath(new URL('dist', import.meta.url));
  await build({ configFile, build: { outDir: target, emptyOutDir: true } });
  return target;
}
