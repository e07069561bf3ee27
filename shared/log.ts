import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/**
 * Structured JSON logs (Powertools) with the Lambda request id and cold start. Callers pass ids
 * (site, user, invitation, execution), never tokens, TOTP secrets or addresses; the replacer below
 * is the backstop for the ones that slip in anyway, e.g. inside an error message or a path value.
 */
const SECRET_KEYS = /^(email|emails|address|token|authorization|cookie|secret|totp.*|password)$/i;
const EMAIL = /[^\s@"'<>(),;:/\\]+@[^\s@"'<>(),;:/\\]+\.[a-z]{2,}/gi;
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;
// Invitation tokens are 43 characters of base64url; ids (ULIDs, UUIDs) are shorter, so they survive.
const LONG_TOKEN = /[A-Za-z0-9_-]{40,}/g;

function scrub(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_KEYS.test(key)) return '[redacted]';
  if (typeof value !== 'string') return value;
  return value.replace(JWT, '[token]').replace(EMAIL, '[email]').replace(LONG_TOKEN, '[token]');
}

/** `LOG_LEVEL` as this project has always read it (`debug`, `silent`, default info), in any case. */
function levelFromEnvironment(): 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' {
  const wanted = (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? '').toUpperCase();
  // Powertools would leave a lower-case `silent` unrecognised and fall back to INFO.
  return wanted === 'DEBUG' || wanted === 'WARN' || wanted === 'ERROR' || wanted === 'SILENT' ? wanted : 'INFO';
}

export const logger = new Logger({ serviceName: 'guestpass', logLevel: levelFromEnvironment(), jsonReplacerFn: scrub });

/** The name call sites have always used. */
export const log = logger;

/** The site a workflow payload or job event is about, when it names one. */
function siteOf(event: unknown): string | undefined {
  const siteId = (event as { siteId?: unknown } | null)?.siteId;
  return typeof siteId === 'string' ? siteId : undefined;
}

/**
 * What the HTTP chain does for routes, for workflow tasks and jobs: the Lambda context, `task` and
 * `site` on every line of this invocation, and a failure logged before Step Functions sees it.
 */
export function withTaskLogging<E, R>(name: string, fn: (event: E, context?: Context) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    // Keys of the previous invocation in this container must not leak into this one.
    logger.resetKeys();
    if (context) logger.addContext(context);
    const site = siteOf(event);
    logger.appendKeys({ task: name, ...(site ? { site } : {}) });
    try {
      return await fn(event, context);
    } catch (error) {
      logger.error('task failed', { error: error instanceof Error ? { name: error.name, message: error.message } : String(error) });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}
