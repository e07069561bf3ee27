import type { Directory } from '../shared/directory/directory';
import { listGuests } from '../shared/directory/people/guest-list';
import { accessFor } from '../shared/usecases/access';
import { meterDynamo } from './meter';
import { benchDirectory, benchGuest, benchSite, storePeople } from './seed';
import { fixed, percentile, printTable } from './stats';

/**
 * The two reads that must not grow with a site: the wiki's access decision on every guest page
 * view, and the first page of the admin's guest list. Each is timed and its items read counted on
 * sites of 100, 10,000 and 100,000 people; the ratios are to the smallest site, measured in the same run.
 */
const SIZES = (process.env.BENCH_SCALE_SIZES ?? '100,10000,100000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 200);
const TARGET_RATIO = 1.1;
const PAGE = 50;
const AT = '2026-11-01T09:00:00.000Z';

export interface ScaleResult {
  readonly read: string;
  readonly people: number;
  readonly p50Ms: number;
  readonly itemsRead: number;
  readonly timeRatio: number;
  readonly itemsRatio: number;
  readonly targetRatio: number;
}

export async function benchScale(): Promise<ScaleResult[]> {
  const directory = await benchDirectory('bench-scale');
  try {
    const client = directory.client();
    const meter = meterDynamo(client);
    const db: Directory = { client, tableName: directory.setup.tableName };
    for (const size of SIZES) {
      const seeding = performance.now();
      await benchSite(directory.setup, `scale-${size}`, AT);
      await storePeople(directory.setup, Array.from({ length: size }, (_, n) => benchGuest(`scale-${size}`, n, AT)));
      console.log(`scale: ${size.toLocaleString('en-US')} people seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
    }
    const someone = (size: number, round: number) => benchGuest(`scale-${size}`, Math.abs(round * 7919) % size, AT).userId;
    const reads = [
      { read: 'access decision', run: (size: number, round: number) => accessFor(db, `scale-${size}`, { userId: someone(size, round), spaceKey: 'ENG', client: 'web' }, new Date(AT)) },
      { read: `guest list, first page of ${PAGE}`, run: (size: number) => listGuests(db, `scale-${size}`, { limit: PAGE }) },
    ];
    const measured: Omit<ScaleResult, 'timeRatio' | 'itemsRatio' | 'targetRatio'>[] = [];
    for (const { read, run } of reads) {
      const itemsRead = new Map<number, number>();
      for (const size of SIZES) {
        meter.reset();
        const answer = await run(size, 1);
        if ('allowed' in answer && !answer.allowed) throw new Error(`bench: a seeded guest was refused (${answer.reason})`);
        if ('guests' in answer && answer.guests.length !== Math.min(PAGE, size)) throw new Error(`bench: the guest list gave ${answer.guests.length}`);
        itemsRead.set(size, meter.itemsRead());
      }
      // Sizes take turns round by round, so drift on the machine falls on all of them alike.
      const millis = new Map<number, number[]>(SIZES.map((size) => [size, []]));
      for (let round = -10; round < ROUNDS; round++) {
        for (const size of SIZES) {
          const started = performance.now();
          await run(size, round);
          if (round >= 0) millis.get(size)!.push(performance.now() - started);
        }
      }
      for (const size of SIZES) {
        measured.push({ read, people: size, p50Ms: percentile(millis.get(size)!.sort((a, b) => a - b), 50), itemsRead: itemsRead.get(size)! });
      }
    }
    const results = measured.map((row) => {
      const smallest = measured.find((other) => other.read === row.read && other.people === SIZES[0])!;
      return { ...row, timeRatio: row.p50Ms / smallest.p50Ms, itemsRatio: row.itemsRead / smallest.itemsRead, targetRatio: TARGET_RATIO };
    });
    printTable(
      `Scale: the same reads on sites of ${SIZES.map((size) => size.toLocaleString('en-US')).join(', ')} people (${ROUNDS} rounds each, DynamoDB Local; ratios to the smallest site, target ≤ ${TARGET_RATIO})`,
      ['read', 'people on the site', 'p50 ms', 'items read', 'time × smallest', 'items × smallest'],
      results.map((row) => [row.read, row.people.toLocaleString('en-US'), fixed(row.p50Ms), String(row.itemsRead), fixed(row.timeRatio), fixed(row.itemsRatio)]),
    );
    return results;
  } finally {
    await directory.stop();
  }
}
