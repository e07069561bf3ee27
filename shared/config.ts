import { z } from 'zod';

/**
 * Function configuration from the environment, parsed once. Each value is optional here and
 * required where it is used, so a function only needs the variables its own code reads.
 */
const Environment = z.object({
  TABLE_NAME: z.string().min(1).optional(),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  SENDER_ADDRESS: z.string().min(3).optional(),
  PUBLIC_BASE_URL: z.url().optional(),
  /** Overrides every site's invitation lifetime; for local runs and tests of the expiry path. */
  INVITE_EXPIRY_SECONDS: z.coerce.number().int().min(1).optional(),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(180),
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
