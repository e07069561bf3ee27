/**
 * What a function may reach besides its own code. Route, workflow-task and job declarations name
 * these, and the CDK app turns them into IAM grants and environment variables, so a function's
 * permissions are read off the same declaration its code is written against.
 */

/**
 * AWS services a function talks to besides its table access.
 * - `two-step-secrets`: seals and opens TOTP secrets with the two-step KMS key (GenerateDataKey and
 *   Decrypt, bound to the person's encryption context); gets `TWO_STEP_KEY_ID`. Declared by the
 *   routes that check codes: accept-invitation, and verify-reverification (`POST /verify/{token}`).
 *   Removing a secret (the admin's reset) needs no key.
 * - `sfn-stop`: stops onboarding executions (StopExecution on that state machine's executions only);
 *   gets `STATE_MACHINE_ARN`. Declared by the routes that replace or end an invitation's onboarding.
 */
export type ServiceUse = 'ses' | 'sfn-start' | 'sfn-callback' | 'sfn-stop' | 'two-step-secrets';

/**
 * What a function may do with the directory table:
 * - `read`: GetItem, Query (table and GSIs), BatchGetItem, ConditionCheckItem; gets `TABLE_NAME`.
 * - `write`: `read` plus PutItem, UpdateItem, DeleteItem, BatchWriteItem (and so transactions).
 * - `none`: no DynamoDB permission and no `TABLE_NAME` (e.g. the static OpenAPI document).
 */
export type TableUse = 'read' | 'write' | 'none';

/**
 * How long an API function may run (API Gateway gives up after 30 s; a request that takes 10 s
 * is already broken). CDK sets it; the local gateway's Lambda context counts down from it.
 */
export const API_FUNCTION_TIMEOUT_SECONDS = 10;
