import type { ServiceUse } from '../capabilities';

/** Lambda functions run by the onboarding workflow, keyed by the state that invokes them. */
export const WORKFLOW_TASKS = {
  SendInvitation: { handler: 'workflow-send-invitation', uses: ['ses'] },
  AwaitAcceptance: { handler: 'workflow-await-acceptance', uses: ['sfn-callback'] },
  AwaitSpaceAssignment: { handler: 'workflow-await-space', uses: ['sfn-callback'] },
  Activate: { handler: 'workflow-activate', uses: ['ses'] },
  ExpireInvitation: { handler: 'workflow-expire', uses: [] },
} as const satisfies Record<string, { handler: string; uses: readonly ServiceUse[] }>;

export type WorkflowStateName = keyof typeof WORKFLOW_TASKS;
