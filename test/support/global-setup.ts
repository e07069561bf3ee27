import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { JavaMissingError, startDynamoDbLocal, startSesLocal } from '../../infra/local/services';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One DynamoDB Local and one SES stand-in for the whole run; each test file makes its own table. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() }).catch((error: unknown) => {
    if (error instanceof JavaMissingError) {
      // Thrown, vitest would frame it as an unhandled error that may hide false positives; the line says it all.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  });
  const ses = await startSesLocal({ port: await freePort() });
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await ses.stop();
    await dynamo.stop();
  };
}
