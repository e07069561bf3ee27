import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../infra/local/paths';

const require = createRequire(import.meta.url);
/** axe-core's browser build, evaluated in the page: `page.evaluate` runs outside the page's CSP, an injected <script> would not. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

/** The widths every guest page and console view is checked and photographed at. */
export const WIDTHS = [1280, 360] as const;

/**
 * The serious and critical WCAG 2.x A/AA violations axe-core finds in the page as it is now.
 * Minor and moderate ones are not failures by the project's rule, so they are not returned.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test', 'e2e', 'screenshots');

/**
 * For each width: resizes the page, writes `test/e2e/screenshots/<name>-<width>.png` (full page)
 * and collects axe's serious and critical violations, labelled with the page and width, so one
 * `expect(...).toEqual([])` names every page that broke.
 */
export async function photographAndCheck(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
    for (const violation of await seriousViolations(page)) {
      found.push(`${name} @${width}px: ${violation.impact} ${violation.id} (${violation.help}) at ${violation.targets.join(', ')}`);
    }
  }
  await page.setViewportSize({ width: WIDTHS[0], height: 900 });
  return found;
}
