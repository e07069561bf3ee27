import { directoryFromEnvironment } from '../../shared/directory/directory';
import { ExpireTaskPayload } from '../../shared/workflow/payloads';
import { expireInvitation } from '../../shared/workflow/tasks';

const context = { db: directoryFromEnvironment() };

export const handler = async (event: unknown) => expireInvitation(context, ExpireTaskPayload.parse(event));
