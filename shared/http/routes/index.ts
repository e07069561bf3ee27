import type { RouteDeclaration } from '../declaration';
import { accessDecisionRoute } from './access-decision';
import { acceptInvitationRoute } from './accept-invitation';
import { addGroupMembersRoute } from './add-group-members';
import { assignSpaceRoute } from './assign-space';
import { changeGroupRoleRoute } from './change-group-role';
import { createGroupRoute } from './create-group';
import { createSiteRoute } from './create-site';
import { createSpaceRoute } from './create-space';
import { deactivateUserRoute } from './deactivate-user';
import { deleteSpaceRoute } from './delete-space';
import { deleteUserRoute } from './delete-user';
import { downgradePlanRoute } from './downgrade-plan';
import { getExternalUserPolicyRoute } from './get-external-user-policy';
import { getSeatsRoute } from './get-seats';
import { getUserRoute } from './get-user';
import { inviteRoute } from './invite';
import { listAuditEventsRoute } from './list-audit-events';
import { listGroupsRoute } from './list-groups';
import { listGuestsRoute } from './list-guests';
import { listUsersRoute } from './list-users';
import { listSpacesRoute } from './list-spaces';
import { openApiRoute } from './openapi';
import { promoteGroupRoute } from './promote-group';
import { promoteGuestRoute } from './promote-guest';
import { putExternalUserPolicyRoute } from './put-external-user-policy';
import { reactivateUserRoute } from './reactivate-user';
import { removeAppAccessRoute } from './remove-app-access';
import { reviewExternalUserPolicyRoute } from './review-external-user-policy';
import { resetTwoStepRoute } from './reset-two-step';
import { unassignSpaceRoute } from './unassign-space';
import { updateSiteRoute } from './update-site';
import { updateSpaceRoute } from './update-space';
import { viewInvitationRoute } from './view-invitation';
import { invitationAcceptedRoute } from './invitation-accepted';
import { viewReverificationRoute } from './view-reverification';
import { reverifyRoute } from './reverify';
import { listInvitationsRoute } from './list-invitations';
import { resendInvitationRoute } from './resend-invitation';
import { withdrawInvitationRoute } from './withdraw-invitation';

/**
 * Every endpoint, in the order the OpenAPI document lists them. CDK, the local gateway and the
 * OpenAPI generator iterate this list; a function's bundle imports only its own declaration.
 */
export const ROUTES: readonly RouteDeclaration[] = [
  createSiteRoute,
  updateSiteRoute,
  inviteRoute,
  downgradePlanRoute,
  getSeatsRoute,
  getUserRoute,
  createSpaceRoute,
  updateSpaceRoute,
  deleteSpaceRoute,
  listSpacesRoute,
  createGroupRoute,
  listGroupsRoute,
  listGuestsRoute,
  listUsersRoute,
  unassignSpaceRoute,
  removeAppAccessRoute,
  promoteGuestRoute,
  deactivateUserRoute,
  reactivateUserRoute,
  deleteUserRoute,
  assignSpaceRoute,
  viewInvitationRoute,
  acceptInvitationRoute,
  invitationAcceptedRoute,
  viewReverificationRoute,
  reverifyRoute,
  accessDecisionRoute,
  listAuditEventsRoute,
  openApiRoute,
  changeGroupRoleRoute,
  addGroupMembersRoute,
  promoteGroupRoute,
  getExternalUserPolicyRoute,
  reviewExternalUserPolicyRoute,
  putExternalUserPolicyRoute,
  resetTwoStepRoute,
  listInvitationsRoute,
  resendInvitationRoute,
  withdrawInvitationRoute,
];
