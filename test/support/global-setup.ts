import type { TestProject } from 'vitest/node';
import { JavaMissingError, startDynamoDbLocal, startSesLocal, freePort } from '../../infra/local/services';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
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
