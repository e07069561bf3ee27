import { directoryFromEnvironment } from '../../shared/directory/directory';
import { withTaskLogging } from '../../shared/log';
import { ExpireTaskPayload } from '../../shared/workflow/payloads';
import { expireInvitation } from '../../shared/workflow/tasks';

const context = { db: directoryFromEnvironment() };

export const handler = withTaskLogging('workflow-expire', async (event: unknown) => expireInvitation(context, ExpireTaskPayload.parse(event)));
