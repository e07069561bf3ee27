import type { SESClient } from '@aws-sdk/client-ses';
import type { Directory } from '../shared/directory/directory';
import { runReverification } from '../shared/usecases/reverification';
import { meterDynamo } from './meter';
import { benchDirectory, benchGuest, benchSite, storePeople } from './seed';
import { fixed, printTable } from './stats';

/**
 * The daily re-verification job on a site of 10,000 external users of whom 1 in 100 is due: the
 * items it reads per due person (target ≤ 1.1), counted by SDK middleware. A job that scanned the
 * site would read 100 per due person.
 */
const PEOPLE = Number(process.env.BENCH_REVERIFY_PEOPLE ?? 10_000);
const DUE_EVERY = 100;
const TARGET = 1.1;
const NOW = new Date('2026-11-01T09:00:00.000Z');
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

export interface ReverificationResult {
  readonly people: number;
  readonly due: number;
  readonly sent: number;
  readonly itemsRead: number;
  readonly itemsPerDuePerson: number;
  readonly target: number;
  readonly calls: Readonly<Record<string, number>>;
}

export async function benchReverification(): Promise<ReverificationResult> {
  const directory = await benchDirectory('bench-reverify');
  try {
    const siteId = 'reverify-10k';
    await benchSite(directory.setup, siteId, daysBefore(365));
    // Verified 10 days ago, except every hundredth person, activated 31 days ago (the interval is 30).
    await storePeople(directory.setup, Array.from({ length: PEOPLE }, (_, n) => benchGuest(siteId, n, daysBefore(n % DUE_EVERY === 0 ? 31 : 10))));
    const client = directory.client();
    const meter = meterDynamo(client);
    const db: Directory = { client, tableName: directory.setup.tableName };
    let messages = 0;
    // SES answers at once: this measures what the job reads, not how fast mail goes out.
    const ses = { send: async () => ({ MessageId: `bench-${++messages}` }) } as unknown as SESClient;
    const run = await runReverification({ db, ses, senderAddress: 'no-reply@guestpass.local', publicBaseUrl: 'http://localhost' }, NOW, { batchSize: 25 });
    const due = PEOPLE / DUE_EVERY;
    if (run.sent !== due) throw new Error(`bench: the job mailed ${run.sent} of ${due} due people`);
    const result = { people: PEOPLE, due, sent: run.sent, itemsRead: meter.itemsRead(), itemsPerDuePerson: meter.itemsRead() / due, target: TARGET, calls: meter.calls() };
    printTable(
      `Re-verification job: items read per due person (target ≤ ${TARGET}; a scan would read ${DUE_EVERY})`,
      ['people on the site', 'due', 'mailed', 'items read', 'per due person', 'calls'],
      [[PEOPLE.toLocaleString('en-US'), String(due), String(run.sent), String(result.itemsRead), fixed(result.itemsPerDuePerson), Object.entries(result.calls).map(([name, count]) => `${name} ×${count}`).join(', ')]],
    );
    return result;
  } finally {
    await directory.stop();
  }
}
