// `tenantry backup …` and `tenantry restore …`: the agent the CronJob and the restore Job run,
// also usable by a person with the same environment. Results are one JSON line on stdout;
// progress and errors are JSON log lines on stderr.
import { createLogger, setLogger, tenantLogger, type Logger } from './log.js';
import { createAgentClients } from './backup/clients.js';
import { pruneBackups } from './backup/prune.js';
import { runBackup } from './backup/run-backup.js';
import { runRestore } from './backup/run-restore.js';
import { settingsFromEnv, SettingsError } from './backup/settings.js';
import { verifyBackup } from './backup/verify.js';

/** Exit code of a backup or restore that failed (EX_SOFTWARE would blame us; this is a failed job). */
export const EXIT_FAILED = 1;
/** Exit code of a command used wrongly (EX_USAGE from sysexits.h). */
export const EXIT_USAGE = 64;
/** Exit code of bad settings (EX_CONFIG from sysexits.h). */
export const EXIT_CONFIG = 78;

function out(result: unknown): void {
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function withAgent(
  values: Record<string, unknown>,
  tenant: string | undefined,
  body: (log: Logger, s: ReturnType<typeof settingsFromEnv>, c: ReturnType<typeof createAgentClients>) => Promise<unknown>,
): Promise<number> {
  const base = createLogger(typeof values['log-level'] === 'string' ? values['log-level'] : 'info');
  setLogger(base);
  let settings;
  try {
    settings = settingsFromEnv(process.env, tenant ? { tenant } : {});
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    base.error(e.message);
    return EXIT_CONFIG;
  }
  const log = tenantLogger(settings.tenant, base);
  const clients = createAgentClients(settings);
  try {
    out(await body(log, settings, clients));
    return 0;
  } catch (e) {
    log.error((e as Error).message, { error: (e as Error).name });
    return EXIT_FAILED;
  } finally {
    clients.close();
  }
}

/** Runs `tenantry backup [run|verify ID|list|prune]`. */
export async function backupCommand(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const [sub = 'run', id] = positionals;
  const tenant = values.tenant as string | undefined;
  switch (sub) {
    case 'run':
      return withAgent(values, tenant, async (log, s, c) => {
        const r = await runBackup(s, c, log);
        const pruned = s.retention ? await pruneBackups(s, c, log, { dryRun: false }) : undefined;
        return {
          backupId: r.backupId,
          plaintextBytes: r.plaintextBytes,
          storedBytes: r.storedBytes,
          seconds: Number(r.seconds.toFixed(2)),
          verified: !!r.manifest.verification,
          pruned: pruned?.removed.map((x) => x.id) ?? [],
        };
      });
    case 'verify':
      if (!id) {
        process.stderr.write('tenantry backup verify: give the backup id (or latest)\n');
        return EXIT_USAGE;
      }
      return withAgent(values, tenant, async (log, s, c) => {
        const { resolveBackup } = await import('./backup/run-restore.js');
        const m = await resolveBackup(c, id);
        const v = await verifyBackup(s, c, m, log, { drill: values.drill === true });
        return { backupId: m.backupId, ok: true, ...v };
      });
    case 'list':
      return withAgent(values, tenant, async (_log, _s, c) =>
        (await c.store.list()).map((b) => ({
          backupId: b.backupId,
          complete: !!b.manifest,
          verified: !!b.manifest?.verification,
          bytes: b.manifest?.parts.reduce((n, p) => n + p.plaintextBytes, 0),
          error: b.manifestError,
        })),
      );
    case 'prune':
      return withAgent(values, tenant, async (log, s, c) => pruneBackups(s, c, log, { dryRun: values['dry-run'] === true }));
    case 'export-billing':
      return exportBilling(values);
    default:
      process.stderr.write(`tenantry backup: unknown subcommand "${sub}" (run, verify, list, prune, export-billing)\n`);
      return EXIT_USAGE;
  }
}

/** Runs `tenantry backup export-billing`: the tenant's billing records to the region's Object Lock archive. */
async function exportBilling(values: Record<string, unknown>): Promise<number> {
  const base = createLogger(typeof values['log-level'] === 'string' ? values['log-level'] : 'info');
  setLogger(base);
  const { billingSettingsFromEnv } = await import('./billing/settings.js');
  let settings;
  try {
    settings = billingSettingsFromEnv(process.env);
  } catch (e) {
    if (!(e instanceof SettingsError)) throw e;
    base.error(e.message);
    return EXIT_CONFIG;
  }
  const log = tenantLogger(settings.agent.tenant, base);
  const { createS3Client } = await import('./cloud/s3.js');
  const { runBillingExport } = await import('./billing/run-export.js');
  const a = settings.agent;
  const s3 = createS3Client({
    region: a.awsRegion,
    ...(a.s3Endpoint ? { endpoint: a.s3Endpoint } : {}),
    ...(a.credentials ? { credentials: a.credentials } : {}),
  });
  try {
    out(await runBillingExport(s3, settings, log));
    return 0;
  } catch (e) {
    log.error((e as Error).message, { error: (e as Error).name });
    return EXIT_FAILED;
  } finally {
    s3.destroy();
  }
}

/** Runs `tenantry restore`. */
export async function restoreCommand(values: Record<string, unknown>): Promise<number> {
  const source = values.tenant as string | undefined;
  const into = values.into as string | undefined;
  // The instance restored into is the one whose DATABASE_*/TENANTRY_FILES_DIR are set, and
  // TENANTRY_TENANT says whose they are. The tenant written into (--into, else --tenant) must be
  // exactly that one: otherwise a restore meant for a copy overwrites the original in place.
  const target = into ?? source;
  const owner = process.env.TENANTRY_TENANT;
  if (target !== undefined && owner !== target) {
    process.stderr.write(
      `tenantry restore: the restore would write into tenant ${target}, but this environment ${owner ? `belongs to tenant ${owner}` : 'does not say whose it is (TENANTRY_TENANT is not set)'}: ` +
        `run it with ${target}'s environment (its TENANTRY_TENANT, DATABASE_* and TENANTRY_FILES_DIR)${into ? ` and --tenant naming the tenant whose backup is read` : ''}; nothing was done\n`,
    );
    return EXIT_USAGE;
  }
  return withAgent(values, source, async (log, s, c) => {
    const r = await runRestore(
      s,
      c,
      { backup: (values.backup as string | undefined) ?? 'latest', preverify: values['preverify'] === true },
      log,
    );
    return { ...r, into: target ?? s.tenant, seconds: Number(r.seconds.toFixed(2)) };
  });
}
