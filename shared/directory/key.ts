/** The primary key of every item of the single table. */
export interface Key {
  readonly pk: string;
  readonly sk: string;
}

/**
 * The partition of a site's items: a tenant's data stays together, and a handler proves an item
 * belongs to the site by its key alone.
 */
export const sitePartition = (siteId: string) => `SITE#${siteId}`;
