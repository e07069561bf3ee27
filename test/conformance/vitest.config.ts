import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config';

/**
 * `npm run test:conformance`: the AWS CLI against the local stand-ins, with the same global set-up
 * and settings as `npm test` (one DynamoDB Local and one SES endpoint). Its files end in
 * `.conformance.ts`, so `npm test` (`*.test.ts`) never needs the CLI.
 */
export default defineConfig({
  ...base,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    ...base.test,
    // Replaced, not merged: only the conformance files.
    include: ['test/conformance/**/*.conformance.ts'],
    // Each test starts the CLI, a Python program that takes most of a second to load on two cores.
    testTimeout: 60_000,
  },
});
