import { sfn } from '../../shared/clients/sfn';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { CallbackTaskPayload } from '../../shared/workflow/payloads';
import { awaitSpaceAssignment } from '../../shared/workflow/tasks';

const context = { db: directoryFromEnvironment(), sfn };

export const handler = async (event: unknown) => awaitSpaceAssignment(context, CallbackTaskPayload.parse(event));
