import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { Database } from '../database/database.js';

/** How fast a key may send: one request each `interval` seconds on average, `burst` at once. */
export interface Rate {
  interval: number;
  burst: number;
}

/**
 * Per-key request allowances in PostgreSQL, so every API process counts against the same one.
 * GCRA (a token bucket kept as one timestamp): each request moves the key's `used_until` one
 * interval on from now, or from where it was if later; a request is admitted while `used_until`
 * stays within `burst` intervals of now. A refused request takes nothing.
 */
@Injectable()
export class ApiKeyRatesRepository {
  constructor(private readonly db: Database) {}

  /** Takes one request from the key's allowance: 0 when admitted, else the seconds until one would be. */
  async take(principal: Principal, rate: Rate): Promise<number> {
    const [row] = await this.db.query<{ wait: number }>(
      `WITH taken AS (
         INSERT INTO api_key_rates AS r (workspace_id, key_id, used_until)
         VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (workspace_id, key_id) DO UPDATE
            SET used_until = greatest(r.used_until, now()) + make_interval(secs => $3)
          WHERE greatest(r.used_until, now()) + make_interval(secs => $3) <= now() + make_interval(secs => $4)
         RETURNING 1)
       SELECT CASE WHEN EXISTS (SELECT 1 FROM taken) THEN 0
                   ELSE (SELECT extract(epoch FROM greatest(r.used_until, now()) + make_interval(secs => $3) - now() - make_interval(secs => $4))
                           FROM api_key_rates r WHERE r.workspace_id = $1 AND r.key_id = $2)
              END::float8 AS wait`,
      [principal.workspaceId, principal.keyId, rate.interval, rate.interval * rate.burst],
    );
    return Math.max(0, row.wait ?? 0);
  }
}
