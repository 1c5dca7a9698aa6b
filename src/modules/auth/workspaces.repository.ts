import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/database.js';

export interface Workspace {
  id: string;
  name: string;
}

@Injectable()
export class WorkspacesRepository {
  async count(tx: Tx): Promise<number> {
    const [row] = await tx.query<{ n: string }>('SELECT count(*) AS n FROM workspaces');
    return Number(row.n);
  }

  async findOrCreate(tx: Tx, name: string): Promise<Workspace & { created: boolean }> {
    const [inserted] = await tx.query<Workspace>(
      `INSERT INTO workspaces (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id, name`,
      [name],
    );
    if (inserted) return { ...inserted, created: true };
    const [existing] = await tx.query<Workspace>('SELECT id, name FROM workspaces WHERE name = $1', [name]);
    return { ...existing, created: false };
  }
}
