import { ses } from '../../shared/clients/ses';
import { environment, required } from '../../shared/config';
import { directoryFromEnvironment } from '../../shared/directory/directory';
import { withTaskLogging } from '../../shared/log';
import { InvitationTaskPayload } from '../../shared/workflow/payloads';
import { sendInvitation } from '../../shared/workflow/tasks';

const context = {
  db: directoryFromEnvironment(),
  ses,
  senderAddress: required('SENDER_ADDRESS'),
  publicBaseUrl: required('PUBLIC_BASE_URL'),
  configurationSet: environment().SES_CONFIGURATION_SET,
};

export const handler = withTaskLogging('workflow-send-invitation', async (event: unknown) => sendInvitation(context, InvitationTaskPayload.parse(event)));
