import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { withTaskLogging } from '../../shared/log';
import { CallbackTaskPayload } from '../../shared/workflow/payloads';
import { awaitAcceptance } from '../../shared/workflow/tasks';

const context = { db: directoryFromEnvironment(), sfn };

export const handler = withTaskLogging('workflow-await-acceptance', async (event: unknown) => awaitAcceptance(context, CallbackTaskPayload.parse(event)));
