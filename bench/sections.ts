import { benchBundles } from './bundles';
import { benchCost } from './cost';
import { benchHotPaths } from './hot-paths';
import { benchLoad } from './load';
import { benchReverification } from './reverification';
import { benchScale } from './scale';

/** The report's sections, in the order `npm run bench` runs them. */
export const SECTIONS = {
  bundles: benchBundles,
  'hot-paths': benchHotPaths,
  scale: benchScale,
  reverification: benchReverification,
  cost: benchCost,
  load: benchLoad,
} as const satisfies Record<string, () => Promise<unknown>>;

export type Section = keyof typeof SECTIONS;
export const isSection = (value: string): value is Section => Object.hasOwn(SECTIONS, value);

/**
 * Sections that run the whole local stack. Its functions read their configuration once per
 * process, as Lambda does per container, so each of these runs in a Node process of its own.
 */
export const OWN_PROCESS: ReadonlySet<Section> = new Set(['cost', 'load']);
