import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { cruise, type IConfiguration, type IViolation } from 'dependency-cruiser';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

/* Layer boundaries (README, "Architecture and layout"), checked with the rules in .dependency-cruiser.cjs.
   dependency-cruiser cannot parse TypeScript 7, so each cruise reads a copy of the sources turned into
   JavaScript by esbuild, file names unchanged; `import type` and `export type … from` are made plain first so
   that esbuild keeps them and type-only imports count like any other. */

const ROOT = join(import.meta.dirname, '..', '..');
// The console's build script is Node code the local stack runs; its browser app (console/src) is not.
const CRUISED = ['shared', 'functions', 'infra', 'bench', 'console'];
const BROWSER_APP = 'console/src/';
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `guestpass-${label}-`));
  scratch.push(dir);
  return dir;
}

function typeScriptFiles(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .filter((file) => !file.startsWith(BROWSER_APP))
    .sort();
}

function withTypeOnlyImportsKept(source: string): string {
  return source
    .replace(/\bimport\s+type\s+(?=[{*]|[\w$]+\s+from\b)/g, 'import ')
    .replace(/\bexport\s+type\s+(?=\*|\{[^}]*\}\s*from\b)/g, 'export ');
}

/** Copies `dirs` of `root` into a scratch directory as JavaScript under the same names; returns that directory and the files. */
function asJavaScript(root: string, dirs: string[]): { baseDir: string; files: string[] } {
  const baseDir = tempDir('cruise');
  const files = dirs.flatMap((dir) => typeScriptFiles(root, dir));
  for (const file of files) {
    const { code } = transformSync(withTypeOnlyImportsKept(readFileSync(join(root, file), 'utf8')), {
      loader: 'ts',
      format: 'esm',
      // The parser dependency-cruiser falls back to reads ES2020 best.
      target: 'es2020',
      supported: { 'top-level-await': true },
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      sourcefile: file,
    });
    mkdirSync(dirname(join(baseDir, file)), { recursive: true });
    writeFileSync(join(baseDir, file), code);
  }
  copyFileSync(join(ROOT, 'package.json'), join(baseDir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(baseDir, 'node_modules'), 'dir');
  return { baseDir, files };
}

function describeViolation(violation: IViolation): string {
  const line = `${violation.from} → ${violation.to} (${violation.rule.name})`;
  return violation.cycle ? `${line} cycle: ${[violation.from, ...violation.cycle.map((step) => step.name)].join(' → ')}` : line;
}

async function cruiseBoundaries(root: string, dirs: string[]) {
  const { baseDir, files } = asJavaScript(root, dirs);
  // Files rather than folders: dependency-cruiser only scans folders for extensions it can parse itself.
  const { output } = await cruise(files, {
    ...config.options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  if (typeof output === 'string') throw new Error('dependency-cruiser returned a report, not a result');
  return {
    files,
    modules: output.modules.map((module) => module.source),
    violations: output.summary.violations.map(describeViolation).sort(),
  };
}

describe('layer boundaries', () => {
  it('hold across shared/, functions/, infra/, bench/ and the console’s build script', async () => {
    const { files, modules, violations } = await cruiseBoundaries(ROOT, CRUISED);
    // Every source file was read: a cruise that sees nothing reports nothing.
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((file) => !modules.includes(file))).toEqual([]);
    if (violations.length > 0) {
      expect.fail(`${violations.length} boundary violation(s):\n${violations.join('\n')}`);
    }
  });

  it('are enforced: each rule reports its breach in a small fixture tree', async () => {
    const fixture = tempDir('fixture');
    const sources: Record<string, string> = {
      'shared/domain/a.ts': [
        "import { b } from '../directory/b';",
        "import { readFileSync } from 'node:fs';",
        "import { createHash } from 'node:crypto';",
        "import { ulid } from 'ulid';",
        'export const a = [b, readFileSync, createHash, ulid];',
      ].join('\n'),
      'shared/domain/one.ts': "import type { Two } from './two';\nexport type One = { two?: Two };\nexport const one = 1;",
      'shared/domain/two.ts': "import { one } from './one';\nexport type Two = { one: number };\nexport const two = one + 1;",
      'shared/directory/b.ts': "import { z } from 'zod';\nimport type { U } from '../usecases/u';\nexport const b = z.string();\nexport type B = U;",
      'shared/directory/c.ts': "import * as z from 'zod/mini';\nimport { two } from '../domain/two';\nexport const c = [z.string(), two];",
      'shared/http/h.ts': "import * as z from 'zod/mini';\nimport { w } from '../workflow/w';\nexport const h = [z.string(), w];",
      'shared/workflow/w.ts': "import { c } from '../directory/c';\nexport { view } from '../http/view';\nexport const w = c;",
      'shared/http/view.ts': "import { c } from '../directory/c';\nexport const view = c;",
      'shared/usecases/u.ts': "import { view } from '../http/view';\nimport { c } from '../directory/c';\nexport type U = typeof view | typeof c;",
      'functions/x/handler.ts': [
        "import { y } from '../y/handler';",
        "import { stack } from '../../infra/stack';",
        "import type { U } from '../../shared/usecases/u';",
        'export const handler = (u?: U) => [y, stack, u];',
      ].join('\n'),
      'functions/y/handler.ts': "import { local } from './local';\nexport const y = local;",
      'functions/y/local.ts': 'export const local = 1;',
      'infra/stack.ts': "import { a } from '../shared/domain/a';\nimport { h } from '../shared/http/h';\nexport const stack = [a, h];",
      'bench/run.ts': "import { stack } from '../infra/stack';\nimport { gone } from './gone';\nexport const run = [stack, gone];",
    };
    for (const [file, source] of Object.entries(sources)) {
      mkdirSync(dirname(join(fixture, file)), { recursive: true });
      writeFileSync(join(fixture, file), `${source}\n`);
    }

    const { violations } = await cruiseBoundaries(fixture, CRUISED);

    expect(violations).toEqual([
      'bench/run.ts → ./gone (no-unresolvable-relative)',
      'functions/x/handler.ts → functions/y/handler.ts (no-cross-function)',
      'functions/x/handler.ts → infra/stack.ts (runtime-not-infra)',
      'shared/directory/b.ts → node_modules/zod/index.js (zod-mini-only)',
      'shared/directory/b.ts → shared/usecases/u.ts (directory-not-above)',
      'shared/domain/a.ts → fs (domain-builtins-only-crypto)',
      'shared/domain/a.ts → node_modules/ulid/dist/node/index.js (domain-imports-only-domain)',
      'shared/domain/a.ts → shared/directory/b.ts (domain-imports-only-domain)',
      'shared/domain/one.ts → shared/domain/two.ts (no-circular) cycle: shared/domain/one.ts → shared/domain/two.ts → shared/domain/one.ts',
      'shared/http/h.ts → shared/workflow/w.ts (http-not-workflow)',
      'shared/workflow/w.ts → shared/http/view.ts (workflow-not-http)',
    ]);
    // Every rule in the configuration is exercised above, so none can go missing or stop matching unnoticed.
    const fired = new Set(violations.map((line) => /\(([^)]+)\)/.exec(line)?.[1]));
    expect([...fired].sort()).toEqual((config.forbidden ?? []).map((rule) => rule.name).sort());
  });
});
