import type * as z from 'zod/mini';
import type * as S from '../../shared/http/schemas';

/*
 * The console is a client of the public HTTP API only. The shapes come from the contract's own zod
 * schemas, as types: nothing of zod reaches the bundle, and a field renamed in the contract breaks
 * the console's type check instead of its users.
 */
export type Person = z.infer<typeof S.Person>;
export type Seats = z.infer<typeof S.Seats>;
export type InviteRequest = z.input<typeof S.InviteBody>;
export type InviteResponse = z.infer<typeof S.InviteResponse>;
export type InviteRow = z.infer<typeof S.InviteRowResult>;
export type Group = z.infer<typeof S.Group>;
export type Space = z.infer<typeof S.Space>;
export type Invitation = z.infer<typeof S.Invitation>;
export type AuditEvent = z.infer<typeof S.AuditEvent>;
export type PolicyView = z.infer<typeof S.PolicyView>;
export type Policy = z.infer<typeof S.PolicyInput>;
export type PolicyReview = z.infer<typeof S.PolicyReviewResult>;
export type AppRole = z.infer<typeof S.AppRole>;
export type MemberStatus = z.infer<typeof S.MemberStatus>;
export type PersonStatus = z.infer<typeof S.PersonStatus>;
export type InvitationStatus = z.infer<typeof S.InvitationStatusName>;

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string | undefined;
}

/** An answer of the API other than a success, as its error body says it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * Every call of the console to the API, with the admin's bearer token. A 401 or 403 is also told to
 * `onRefused`: the whole console then shows the page for it, whichever view asked.
 */
export class Api {
  constructor(
    private readonly baseUrl: string,
    readonly siteId: string,
    private readonly token: string,
    private readonly onRefused: (error: ApiError) => void,
  ) {}

  private async call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.baseUrl}/sites/${encodeURIComponent(this.siteId)}${path}`, window.location.href);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json', ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch {
      throw new ApiError(0, 'network_error', 'The API could not be reached. Check your connection and try again.');
    }
    const text = await response.text();
    const json: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = errorFrom(response.status, json);
      if (error.status === 401 || error.status === 403) this.onRefused(error);
      throw error;
    }
    return json as T;
  }

  seats = () => this.call<Seats>('GET', '/seats');

  invite = (request: InviteRequest, idempotencyKey: string) =>
    this.call<InviteResponse>('POST', '/invitations', { body: request, headers: { 'Idempotency-Key': idempotencyKey } });

  person = (userId: string) => this.call<Person>('GET', `/users/${encodeURIComponent(userId)}`);

  guests = async (query: { status?: MemberStatus; spaceKey?: string; noSpace?: boolean; limit: number; cursor?: string }): Promise<Page<Person>> => {
    const page = await this.call<{ guests: Person[]; nextCursor?: string }>('GET', '/guests', {
      query: { ...query, noSpace: query.noSpace ? 'true' : undefined },
    });
    return { items: page.guests, nextCursor: page.nextCursor };
  };

  users = async (query: { kind?: 'guest' | 'paid'; status?: PersonStatus; q?: string; limit: number; cursor?: string }): Promise<Page<Person>> => {
    const page = await this.call<{ users: Person[]; nextCursor?: string }>('GET', '/users', { query });
    return { items: page.users, nextCursor: page.nextCursor };
  };

  assignSpace = (userId: string, spaceKey: string) => this.call<Person>('PUT', `/guests/${encodeURIComponent(userId)}/space`, { body: { spaceKey } });
  unassignSpace = (userId: string) => this.call<Person>('DELETE', `/guests/${encodeURIComponent(userId)}/space`);
  removeAppAccess = (userId: string) => this.call<void>('DELETE', `/guests/${encodeURIComponent(userId)}/app-access`);
  promote = (userId: string) => this.call<Person>('POST', `/guests/${encodeURIComponent(userId)}/promote`);
  deactivate = (userId: string) => this.call<Person>('POST', `/users/${encodeURIComponent(userId)}/deactivate`);
  reactivate = (userId: string) => this.call<Person>('POST', `/users/${encodeURIComponent(userId)}/reactivate`);
  deleteUser = (userId: string) => this.call<{ userId: string; eraseAfter: string }>('DELETE', `/users/${encodeURIComponent(userId)}`);

  invitations = async (query: { status: InvitationStatus; limit: number; cursor?: string }): Promise<Page<Invitation>> => {
    const page = await this.call<{ invitations: Invitation[]; nextCursor?: string }>('GET', '/invitations', { query });
    return { items: page.invitations, nextCursor: page.nextCursor };
  };
  resend = (invitationId: string) => this.call<Invitation>('POST', `/invitations/${encodeURIComponent(invitationId)}/resend`);
  withdraw = (invitationId: string) => this.call<void>('DELETE', `/invitations/${encodeURIComponent(invitationId)}`);

  groups = async () => (await this.call<{ groups: Group[] }>('GET', '/groups')).groups;
  createGroup = (name: string, role: AppRole) => this.call<Group>('POST', '/groups', { body: { name, role } });
  changeGroupRole = (groupId: string, role: AppRole) => this.call<Group>('PUT', `/groups/${encodeURIComponent(groupId)}/role`, { body: { role } });
  addGroupMembers = (groupId: string, userIds: string[]) => this.call<Group>('POST', `/groups/${encodeURIComponent(groupId)}/members`, { body: { userIds } });
  promoteGroup = (groupId: string) => this.call<Group>('POST', `/groups/${encodeURIComponent(groupId)}/promote`);

  spaces = async () => (await this.call<{ spaces: Space[] }>('GET', '/spaces')).spaces;
  createSpace = (key: string, name: string, anonymousAccess: boolean) => this.call<Space>('POST', '/spaces', { body: { key, name, anonymousAccess } });
  updateSpace = (key: string, patch: { name?: string; anonymousAccess?: boolean }) => this.call<Space>('PATCH', `/spaces/${encodeURIComponent(key)}`, { body: patch });
  deleteSpace = (key: string) => this.call<void>('DELETE', `/spaces/${encodeURIComponent(key)}`);

  policy = () => this.call<PolicyView>('GET', '/external-user-policy');
  reviewPolicy = (policy: Policy, cursor?: string) =>
    this.call<PolicyReview>('POST', '/external-user-policy/review', { body: { policy, ...(cursor ? { cursor } : {}) } });
  applyPolicy = (policy: Policy, reviewToken: string) => this.call<PolicyView>('PUT', '/external-user-policy', { body: { policy, reviewToken } });

  auditEvents = async (query: { limit: number; cursor?: string }): Promise<Page<AuditEvent>> => {
    const page = await this.call<{ events: AuditEvent[]; nextCursor?: string }>('GET', '/audit-events', { query });
    return { items: page.events, nextCursor: page.nextCursor };
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    const details = error.details && typeof error.details === 'object' ? (error.details as Record<string, unknown>) : undefined;
    return new ApiError(status, error.code, error.message, details);
  }
  return new ApiError(status, status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'unexpected_answer', `The API answered ${status} without an explanation.`);
}
