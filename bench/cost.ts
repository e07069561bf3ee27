import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../infra/local/services';
import { LOCAL_STATE_MACHINE_ARN } from '../infra/local/stack';
import { benchStack } from './local';
import { meterDynamo } from './meter';
import { fixed, printTable } from './stats';

/**
 * What 1,000 onboarded guests cost, from work counted while the local stack onboards a batch of
 * them end to end over its HTTP API: invited ten to a call, each opening the emailed link, accepting
 * and being given a space by the admin, the workflow sending both emails and activating them.
 * DynamoDB units come from ReturnConsumedCapacity on the functions' own client, state transitions
 * from each execution's history, invocations and billed milliseconds from the stack's handler
 * calls (SES event deliveries included), API requests from this client, emails from the SES
 * stand-in. Only the prices are assumed: us-east-1 list prices, below with the date they were taken.
 */
const GUESTS = Number(process.env.BENCH_COST_GUESTS ?? 50);
const PER = 1_000;
const TARGET_TRANSITIONS = 4;
const TARGET_DOLLARS = 0.32;

/** us-east-1 list prices (on-demand, Standard workflows, arm64 Lambda, HTTP API), as of 2026-12-03. */
export const PRICES = {
  date: '2026-12-03',
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  stateTransition: 0.025 / 1e3,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  apiRequest: 1.0 / 1e6,
  email: 0.1 / 1e3,
} as const;
const LAMBDA_MEMORY_GB = 256 / 1024;

export interface CostResult {
  readonly guests: number;
  readonly perGuest: Readonly<Record<string, number>>;
  readonly dollarsPer1000: Readonly<Record<string, number>>;
  readonly totalPer1000: number;
  readonly targetPer1000: number;
  readonly transitionsPerGuest: number;
  readonly targetTransitions: number;
  readonly invocationsByFunction: Readonly<Record<string, number>>;
}

const until = async <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 180_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not happen in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

export async function benchCost(): Promise<CostResult> {
  const bench = await benchStack({ retryIntervalScale: 0.001 });
  try {
    // The functions' client, created once per container; loaded only now that the stack set its endpoint.
    const { documentClient } = await import('../shared/clients/dynamodb');
    const meter = meterDynamo(documentClient, 'costMeter');
    const siteId = 'cost';
    const { adminToken } = await bench.site(siteId, { guestRatio: 100 });
    if ((await bench.api('POST', `/sites/${siteId}/spaces`, adminToken, { key: 'ENG', name: 'Engineering' })).status !== 201) throw new Error('bench: space not created');

    // From here on, everything counted is the onboarding.
    meter.reset();
    bench.invocations.count = 0;
    bench.invocations.billedMs = 0;
    bench.invocations.byFunction.clear();
    bench.invocations.billedMsByFunction.clear();
    bench.apiRequests = 0;
    const mailBefore = (await bench.mail()).length;

    const addresses = Array.from({ length: GUESTS }, (_, n) => `cost${n}@partner${n % 5}.example`);
    const invited: { email: string; userId: string }[] = [];
    for (let start = 0; start < GUESTS; start += 10) {
      const answer = await bench.api<{ results: { email: string; status: string; userId: string }[] }>('POST', `/sites/${siteId}/invitations`, adminToken, { emails: addresses.slice(start, start + 10), roles: { wiki: 'guest' } });
      if (answer.status !== 200 || answer.json.results.some((row) => row.status !== 'invited')) throw new Error(`bench: invite answered ${answer.status} ${JSON.stringify(answer.json)}`);
      invited.push(...answer.json.results);
    }
    // One guest at a time: a local invocation's time is wall time in a shared process, and guests
    // racing each other would bill every invocation for the others' work.
    for (const { email, userId } of invited) {
      await (async () => {
        const mail = await until(`the invitation to ${email}`, async () => (await bench.mail()).find((sent) => sent.destination.to.includes(email)));
        const token = /\/invitations\/([A-Za-z0-9_-]{43})/.exec(mail.body.text ?? '')![1]!;
        if ((await bench.api('GET', `/invitations/${token}`)).status !== 200) throw new Error('bench: invitation page refused');
        const accepted = await bench.api('POST', `/invitations/${token}/accept`, undefined, { displayName: `Guest ${email}` });
        if (accepted.status !== 200) throw new Error(`bench: accept answered ${accepted.status} ${JSON.stringify(accepted.json)}`);
        const assigned = await bench.api('PUT', `/sites/${siteId}/guests/${userId}/space`, adminToken, { spaceKey: 'ENG' });
        if (assigned.status !== 200) throw new Error(`bench: assign answered ${assigned.status}`);
      })();
    }

    const sfn = new SFNClient({ endpoint: bench.stack.sfnUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    let statuses = '';
    const executions = await until('every onboarding to succeed', async () => {
      const listed = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: LOCAL_STATE_MACHINE_ARN, maxResults: 1000 }))).executions ?? [];
      statuses = JSON.stringify(Object.groupBy(listed, (execution) => execution.status ?? '?'), (key, value) => (Array.isArray(value) ? value.length : value));
      return listed.length === GUESTS && listed.every((execution) => execution.status === 'SUCCEEDED') && listed;
    }, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${statuses}`);
    });
    let transitions = 0;
    for (const execution of executions) {
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }));
      transitions += (events ?? []).filter((event) => event.type?.endsWith('StateEntered')).length;
    }
    const emails = await until('both emails to every guest', async () => {
      const sent = (await bench.mail()).length - mailBefore;
      return sent >= GUESTS * 2 && sent;
    });
    // SES reports each message's send and delivery to the events function; let those land too.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    sfn.destroy();

    const perGuest = {
      dynamoReadUnits: meter.readUnits() / GUESTS,
      dynamoWriteUnits: meter.writeUnits() / GUESTS,
      stateTransitions: transitions / GUESTS,
      lambdaInvocations: bench.invocations.count / GUESTS,
      lambdaBilledMs: bench.invocations.billedMs / GUESTS,
      apiRequests: bench.apiRequests / GUESTS,
      emails: emails / GUESTS,
    };
    const dollarsPer1000 = {
      dynamodb: PER * (perGuest.dynamoReadUnits * PRICES.dynamoReadUnit + perGuest.dynamoWriteUnits * PRICES.dynamoWriteUnit),
      stepFunctions: PER * perGuest.stateTransitions * PRICES.stateTransition,
      lambda: PER * (perGuest.lambdaInvocations * PRICES.lambdaRequest + (perGuest.lambdaBilledMs / 1000) * LAMBDA_MEMORY_GB * PRICES.lambdaGbSecond),
      apiGateway: PER * perGuest.apiRequests * PRICES.apiRequest,
      ses: PER * perGuest.emails * PRICES.email,
    };
    const totalPer1000 = Object.values(dollarsPer1000).reduce((sum, dollars) => sum + dollars, 0);
    printTable(
      `Cost per 1,000 onboarded guests, from the work counted while ${GUESTS} were onboarded end to end (us-east-1 list prices of ${PRICES.date}; target ≤ $${TARGET_DOLLARS}, ≤ ${TARGET_TRANSITIONS} transitions per guest)`,
      ['service', 'work per guest', 'price', '$ per 1,000 guests'],
      [
        ['DynamoDB on demand', `${fixed(perGuest.dynamoReadUnits, 1)} RRU + ${fixed(perGuest.dynamoWriteUnits, 1)} WRU`, '$0.125 / M RRU, $0.625 / M WRU', fixed(dollarsPer1000.dynamodb, 4)],
        ['Step Functions (Standard)', `${fixed(perGuest.stateTransitions, 2)} state transitions`, '$0.025 / 1,000', fixed(dollarsPer1000.stepFunctions, 4)],
        ['Lambda (arm64, 256 MB)', `${fixed(perGuest.lambdaInvocations, 1)} invocations, ${fixed(perGuest.lambdaBilledMs, 0)} billed ms`, '$0.20 / M, $0.0000133334 / GB-s', fixed(dollarsPer1000.lambda, 4)],
        ['API Gateway (HTTP API)', `${fixed(perGuest.apiRequests, 1)} requests`, '$1.00 / M', fixed(dollarsPer1000.apiGateway, 4)],
        ['SES', `${fixed(perGuest.emails, 1)} emails`, '$0.10 / 1,000', fixed(dollarsPer1000.ses, 4)],
        ['**total**', '', '', `**${fixed(totalPer1000, 4)}**`],
      ],
    );
    const invocationsByFunction = Object.fromEntries([...bench.invocations.byFunction].sort(([a], [b]) => a.localeCompare(b)));
    console.log(`invocations by function (count, median-free mean billed ms): ${Object.entries(invocationsByFunction).map(([name, count]) => `${name} ${count} × ${fixed((bench.invocations.billedMsByFunction.get(name) ?? 0) / count, 0)} ms`).join(', ')}`);
    return { guests: GUESTS, perGuest, dollarsPer1000, totalPer1000, targetPer1000: TARGET_DOLLARS, transitionsPerGuest: perGuest.stateTransitions, targetTransitions: TARGET_TRANSITIONS, invocationsByFunction };
  } finally {
    await bench.stop();
  }
}
