import { Pool } from 'pg';
import { AuditStoreSource, LedgerRebuild, type RebuildReport } from '@casegrid/service-supervision';

/**
 * Rebuilds a service's projections from the log and swaps them in while the system runs:
 *
 *   npm run replay -- ledger             # supervision's ledger, from audit's store
 *
 * DATABASE_URL_SUPERVISION (else DATABASE_URL) names the database holding supervision's
 * schema and audit's store (the embedded default keeps both in one). The ledger is the
 * one projection so far; statistics and search register here when they exist.
 */
const PROJECTIONS: Record<string, (pool: Pool) => Promise<RebuildReport>> = {
  ledger: (pool) => new LedgerRebuild(pool, 'supervision', new AuditStoreSource(pool)).run(),
};

async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  const rebuild = name ? PROJECTIONS[name] : undefined;
  const url = process.env['DATABASE_URL_SUPERVISION'] ?? process.env['DATABASE_URL'];
  if (!rebuild || !url) {
    process.stderr.write(
      `usage: DATABASE_URL=postgres://… npm run replay -- <${Object.keys(PROJECTIONS).join('|')}>\n`,
    );
    process.exit(2);
  }
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const report = await rebuild(pool);
    process.stdout.write(`${JSON.stringify({ projection: name, ...report })}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `replay failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
