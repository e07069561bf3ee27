import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { CallbackTaskPayload } from '../../shared/workflow/payloads';
import { awaitAcceptance } from '../../shared/workflow/tasks';

const context = { db: directoryFromEnvironment(), sfn };

export const handler = async (event: unknown) => awaitAcceptance(context, CallbackTaskPayload.parse(event));
