import { GoneError } from '../http/domain-errors.js';

/** How OpenAPI describes the 410 of a request that needs what retention removed. */
export const PURGED = "the import's stored file and staged lines were removed, ROSTERSYNC_RETENTION_DAYS after it finished.";

/** The answer to a request that needs a purged import's stored file or staged lines. */
export function purgedError(purgedAt: string, what: string): GoneError {
  return new GoneError(
    `This import finished more than ROSTERSYNC_RETENTION_DAYS ago: ${what} removed (${purgedAt}). Its counts, line errors, groups and the people's history stay.`,
  );
}
