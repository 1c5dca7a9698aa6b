import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tables an import writes in bulk.
 *
 * File chunks are stored as they are, not compressed: PostgreSQL's own compression (pglz) cost
 * about 3.7 s of the server's CPU to store a 160 MB export and 0.8 s to read it back for staging,
 * time the import waited for. The price is disk: a CSV export took about 70% of its size
 * compressed. Chunks already stored stay as they are.
 */
export class BulkTables1764800000000 implements MigrationInterface {
  name = 'BulkTables1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTERNAL`);
    // A million staged lines or planned changes made autovacuum visit these tables while the
    // import was still running (16 s of CPU for import_changes at 1M lines, on the cores the
    // import needs). Nothing reads them by index-only scans; staged_rows is vacuumed before every
    // plan anyway (PlannerRepository.settle). Vacuums for dead rows and against wraparound still run.
    for (const table of ['staged_rows', 'import_changes']) {
      await db.query(`ALTER TABLE ${table} SET (autovacuum_vacuum_insert_threshold = -1)`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['staged_rows', 'import_changes']) await db.query(`ALTER TABLE ${table} RESET (autovacuum_vacuum_insert_threshold)`);
    await db.query(`ALTER TABLE file_chunks ALTER COLUMN data SET STORAGE EXTENDED`);
  }
}
