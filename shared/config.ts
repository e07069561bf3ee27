import * as z from 'zod/mini';

/**
 * Function configuration from the environment, parsed once. Each value is optional here and
 * required where it is used, so a function only needs the variables its own code reads.
 */
const nonEmpty = (min = 1) => z.optional(z.string().check(z.minLength(min)));
/** A whole number from an environment string (zod/mini's integer schema honours `coerce`). */
const wholeFromString = () => z.int({ coerce: true } as Parameters<typeof z.int>[0]).check(z.gte(1));

const Environment = z.object({
  TABLE_NAME: nonEmpty(),
  STATE_MACHINE_ARN: nonEmpty(),
  SENDER_ADDRESS: nonEmpty(3),
  /** The SES configuration set that reports delivery events (set by CDK on the functions that send). */
  SES_CONFIGURATION_SET: nonEmpty(),
  PUBLIC_BASE_URL: z.optional(z.url()),
  /** Overrides every site's invitation lifetime; for local runs and tests of the expiry path. */
  INVITE_EXPIRY_SECONDS: z.optional(wholeFromString()),
  AUDIT_RETENTION_DAYS: z._default(wholeFromString(), 180),
  /** The KMS key that wraps the data keys of TOTP secrets (AWS). */
  TWO_STEP_KEY_ID: nonEmpty(),
  /** Base64 of a 32-byte key that wraps them instead where there is no KMS (the local stack). */
  TWO_STEP_LOCAL_KEY: nonEmpty(),
});

type Environment = z.infer<typeof Environment>;
let cached: Environment | undefined;

export function environment(): Environment {
  cached ??= Environment.parse(process.env);
  return cached;
}

export function required<K extends keyof Environment>(name: K): NonNullable<Environment[K]> {
  const value = environment()[name];
  if (value === undefined || value === null) throw new Error(`Missing configuration: ${String(name)}`);
  return value as NonNullable<Environment[K]>;
}

/** Tests change the environment between cases; production containers never call this. */
export function resetEnvironmentCache(): void {
  cached = undefined;
}
