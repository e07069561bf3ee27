import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { withTaskLogging } from '../../shared/log';
import { CallbackTaskPayload } from '../../shared/workflow/payloads';
import { awaitSpaceAssignment } from '../../shared/workflow/tasks';

const context = { db: directoryFromEnvironment(), sfn };

export const handler = withTaskLogging('workflow-await-space', async (event: unknown) => awaitSpaceAssignment(context, CallbackTaskPayload.parse(event)));
