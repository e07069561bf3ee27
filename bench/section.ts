import { writeFile } from 'node:fs/promises';
import { isSection, SECTIONS } from './sections';

/** `tsx bench/section.ts <section> <result file>`: one section in this process, its result as JSON. */
const [name, resultFile] = process.argv.slice(2);
if (!name || !isSection(name) || !resultFile) {
  console.error('usage: tsx bench/section.ts <section> <result file>');
  process.exit(2);
}
process.env.LOG_LEVEL ??= 'silent';
const result = await SECTIONS[name]();
await writeFile(resultFile, JSON.stringify(result));
// The local stack's timers and sockets are closed, but a library may keep one open: the section is done.
process.exit(0);
