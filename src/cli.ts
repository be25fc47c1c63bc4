// `tenantry <command>`: one binary for the operator, the backup agent and the admin tools,
// so the CronJobs run the very image the operator runs.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { OperatorFlags } from './operator-command.js';
import { tenantryVersion } from './version.js';

/** Exit code of a command that this build cannot perform (EX_UNAVAILABLE from sysexits.h). */
export const EXIT_UNAVAILABLE = 69;
/** Exit code for a usage error (EX_USAGE from sysexits.h). */
export const EXIT_USAGE = 64;

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Runs the command; absent while the command is not part of this build. */
  run?: (values: Record<string, unknown>, positionals: string[]) => Promise<number>;
}

const COMMON = { help: { type: 'boolean', short: 'h' }, 'log-level': { type: 'string' } } as const;

const COMMANDS: Record<string, Command> = {
  operator: {
    summary: 'run the controller that turns Tenants into isolated, encrypted, TLS-only instances',
    usage:
      'tenantry operator [--config FILE] [--kubeconfig FILE] [--health-port 8081] [--identity NAME]\n' +
      '                  [--namespace NS] [--lease-namespace NS | --no-leader-election] [--resync-seconds 300] [--tenant-selector LABELS]\n' +
      '                  [--erasure-dry-run]  (erasure only reports what it would delete)\n' +
      '                  [--log-level info]',
    options: {
      ...COMMON,
      config: { type: 'string' },
      kubeconfig: { type: 'string' },
      'health-port': { type: 'string' },
      identity: { type: 'string' },
      namespace: { type: 'string' },
      'lease-namespace': { type: 'string' },
      'no-leader-election': { type: 'boolean' },
      'resync-seconds': { type: 'string' },
      'tenant-selector': { type: 'string' },
      'erasure-dry-run': { type: 'boolean' },
    },
    run: async (values) => (await import('./operator-command.js')).runOperator(values as OperatorFlags),
  },
  backup: {
    summary: 'back up one tenant (database dump + files), encrypted with a KMS data key, to S3; verify, list and prune its backups',
    usage:
      'tenantry backup [run] [--tenant NAME]          one backup now (then retention, when TENANTRY_RETENTION is set)\n' +
      '       tenantry backup verify ID|latest [--drill] download, decrypt and check; --drill also restores into scratch space\n' +
      "       tenantry backup list                       the tenant's backups, newest first\n" +
      '       tenantry backup prune [--dry-run]          apply the retention rules (never the newest verified backup)\n' +
      '       tenantry backup export-billing             the billing tables and files to the archive bucket (Object Lock, 7 years)\n' +
      'Settings come from the environment the backup CronJob sets (TENANTRY_TENANT, TENANTRY_REGION, TENANTRY_BACKUP_BUCKET,\n' +
      'TENANTRY_KMS_KEY_ID, DATABASE_*, TENANTRY_FILES_DIR, …; see the README); export-billing also reads TENANTRY_ARCHIVE_BUCKET,\n' +
      'TENANTRY_BILLING_KMS_KEY_ID, TENANTRY_BILLING_RETAIN_DAYS, TENANTRY_BILLING_TABLES, TENANTRY_BILLING_PATHS (JSON lists) and\n' +
      'TENANTRY_TENANT_UID, which the billing-export Job sets.',
    options: { ...COMMON, tenant: { type: 'string' }, 'dry-run': { type: 'boolean' }, drill: { type: 'boolean' } },
    run: async (values, positionals) => (await import('./backup-command.js')).backupCommand(values, positionals),
  },
  restore: {
    summary:
      'restore a tenant from a backup (in place, or into a new tenant of the same region); nothing is replaced until every part loaded and authenticated',
    usage: 'tenantry restore --tenant NAME [--backup ID|latest] [--into NEW] [--preverify]',
    options: {
      ...COMMON,
      tenant: { type: 'string' },
      backup: { type: 'string' },
      into: { type: 'string' },
      preverify: { type: 'boolean' },
    },
    run: async (values) => (await import('./backup-command.js')).restoreCommand(values),
  },
  sweep: {
    summary: "daily: nudge tenants that lag their lifecycle, delete erased tenants' leftover backups, report orphans",
    usage:
      'tenantry sweep [--dry-run] [--config FILE] [--kubeconfig FILE] [--namespace NS] [-o table|json]\n' +
      'Re-evaluates every Tenant and annotates those whose status lags the rules (tenantry.io/sweep-requested-at), so the\n' +
      "operator acts; deletes backup objects under an Erased tenant's prefix when its receipt is in the region's archive;\n" +
      'reports backup prefixes and alias/tenantry/* KMS aliases of no Tenant and no receipt, never deleting them.\n' +
      '--dry-run (or lifecycle.dryRun in the config) writes and deletes nothing. The last line is the summary (JSON with\n' +
      "-o json). --namespace is the operator's, where BackupPolicy credentials Secrets are read (default $POD_NAMESPACE,\n" +
      'else tenantry-system). Exits 0 when it ran, 1 on errors, 64 on usage errors.',
    options: {
      ...COMMON,
      'dry-run': { type: 'boolean' },
      config: { type: 'string' },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    run: async (values, positionals) => (await import('./sweep-command.js')).sweepCommand(values, positionals),
  },
  lifecycle: {
    summary: "explain a tenant's retention phase, its next transition and when its data will be erased",
    usage:
      'tenantry lifecycle explain -f FILE|- [--at RFC3339] [-o table|json] [--config FILE]\n' +
      '       tenantry lifecycle explain NAME [--at RFC3339] [-o table|json] [--config FILE] [--kubeconfig FILE]\n' +
      'FILE holds Tenants as YAML or JSON (one object, a List, or several documents); NAME is read from the cluster.\n' +
      '--at evaluates at another instant (default: now); --config takes the durations of an operator configuration\n' +
      '(default: the promised ones); -o json prints one JSON object per line per tenant. Exits 64 on bad input,\n' +
      "naming the flag or field, and when a tenant's lifecycle input is invalid (after printing its evaluation).",
    options: {
      ...COMMON,
      filename: { type: 'string', short: 'f' },
      at: { type: 'string' },
      output: { type: 'string', short: 'o' },
      config: { type: 'string' },
      kubeconfig: { type: 'string' },
    },
    run: async (values, positionals) => (await import('./lifecycle-command.js')).lifecycleCommand(values, positionals),
  },
  incident: {
    summary: 'breach notices: per affected tenant the facts a notice needs, and which notices are pending or overdue',
    usage:
      'tenantry incident notices NAME [-o table|json|markdown] [--kubeconfig FILE]\n' +
      '       tenantry incident notices [NAME] -f FILE|- [--tenants FILE] [-o table|json|markdown]\n' +
      'Prints, for the Incident NAME (read from the cluster, or from FILE offline), per affected tenant: tenant, region,\n' +
      'plan, data categories, detection time, deadline and the state of its notice (Pending, Notified, Overdue, Late),\n' +
      "then the authority notices. States are evaluated now with the operator's engine. Offline, the affected tenants are\n" +
      "the incident's status.affectedTenants, or (before the operator froze them) the Tenants of --tenants FILE that\n" +
      'spec.affected matches. Problems in the spec are printed as warnings on stderr. Exits 0 when it printed, 64 on\n' +
      'usage errors and bad input.',
    options: {
      ...COMMON,
      filename: { type: 'string', short: 'f' },
      tenants: { type: 'string' },
      output: { type: 'string', short: 'o' },
      kubeconfig: { type: 'string' },
    },
    run: async (values, positionals) => (await import('./incident-command.js')).incidentCommand(values, positionals),
  },
  version: {
    summary: 'print the version of this build',
    usage: 'tenantry version',
    options: { ...COMMON },
    run: () => {
      process.stdout.write(`tenantry ${tenantryVersion()} (node ${process.version})\n`);
      return Promise.resolve(0);
    },
  },
};

/** Returns the top-level help text listing every command. */
export function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: tenantry <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`tenantry <command> --help\` for the options of a command.\n`;
}

/** Returns the help text of one command. */
function commandHelp(name: string, c: Command): string {
  const opts = Object.entries(c.options).map(
    ([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}${o.short ? ` (-${o.short})` : ''}`,
  );
  const availability = c.run
    ? ''
    : `\nThis build of tenantry (${tenantryVersion()}) does not include \`${name}\` yet; it exits with code ${EXIT_UNAVAILABLE}.\n`;
  return `Usage: ${c.usage}\n\n${c.summary}\n\nOptions:\n${opts.join('\n')}\n${availability}`;
}

/** Runs the CLI with the given arguments and resolves with the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(topHelp());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version') return main(['version']);
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`tenantry: unknown command "${name}"\n\n${topHelp()}`);
    return EXIT_USAGE;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`tenantry ${name}: ${(e as Error).message}\n\n${commandHelp(name, cmd)}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(name, cmd));
    return 0;
  }
  if (!cmd.run) {
    process.stderr.write(`tenantry ${name}: this build (${tenantryVersion()}) does not include this command; nothing was done.\n`);
    return EXIT_UNAVAILABLE;
  }
  return cmd.run(parsed.values, parsed.positionals);
}
