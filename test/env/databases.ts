// Private PostgreSQL and MariaDB servers for the tests, from the machine's Debian packages
// (postgresql, mariadb-server): each initialised into its own folder of the environment, listening
// on loopback only, with a superuser password made up for this environment.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import { freePort } from './controlplane.js';
import { runTool } from './proc.js';
import type { Launcher } from './services.js';

/** A running PostgreSQL server: what tests need to connect, and its client tools. */
export interface PostgresState {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Folder of the server's binaries (psql, pg_dump, pg_restore of the same version). */
  bindir: string;
  dataDir: string;
}

/** A running MariaDB server: what tests need to connect. */
export interface MariadbState {
  host: string;
  port: number;
  user: string;
  password: string;
  socket: string;
  dataDir: string;
}

// Test data is thrown away after the run, so durability on power loss buys nothing; these cut
// the fsyncs that make both servers slow to initialise and to write on a busy CI disk.
const PG_FAST = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
const MARIADB_FAST = [
  '--innodb-flush-method=nosync',
  '--innodb-flush-log-at-trx-commit=0',
  '--innodb-doublewrite=0',
  '--innodb-log-file-size=16M',
];

/** Returns a password of URL- and shell-safe characters. */
function makePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Reports whether we run as root: then PostgreSQL runs as the `postgres` system user, which it requires. */
function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Finds a program on PATH or in the sbin folders, which a non-root PATH often lacks (mariadbd is in /usr/sbin). */
function findProgram(names: string[]): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const name of names) {
    for (const d of dirs) {
      if (d && existsSync(join(d, name))) return join(d, name);
    }
  }
  throw new Error(`cannot find ${names.join(' or ')}: install the Debian packages listed in .ci/run (APT_PACKAGES)`);
}

/**
 * Returns the folder of the PostgreSQL server binaries: `pg_config --bindir` when that folder has
 * the server (pg_config comes from libpq-dev, whose version may differ from the installed server),
 * else the newest /usr/lib/postgresql/<version>/bin.
 */
export async function postgresBindir(): Promise<string> {
  const fromConfig = await runTool('pg_config', ['--bindir']).then(
    (s) => s.trim(),
    () => '',
  );
  if (fromConfig && existsSync(join(fromConfig, 'postgres'))) return fromConfig;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'postgres'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions[0]) return join(base, versions[0], 'bin');
  throw new Error('cannot find the PostgreSQL server binaries: install the Debian packages listed in .ci/run (APT_PACKAGES)');
}

/**
 * Lets other users pass through (search, not list) the folders above `dir` that lie inside the
 * temporary folder, such as the 0700 folder mkdtemp makes: the postgres user must reach its data
 * folder. Folders elsewhere (a home folder, say) are left as they are; initdb then says so.
 */
function openPathTo(dir: string): void {
  const tmp = resolve(tmpdir());
  for (let d = dirname(resolve(dir)); d.startsWith(tmp + sep); d = dirname(d)) {
    const mode = statSync(d).mode;
    if (!(mode & 0o001)) chmodSync(d, (mode & 0o7777) | 0o001);
  }
}

/** Returns the uid and gid of a system user. */
async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([runTool('id', ['-u', user]), runTool('id', ['-g', user])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/**
 * Initialises and starts PostgreSQL in `dir` on a free loopback port, with password (SCRAM) auth
 * for the superuser `postgres`, and waits until it accepts connections.
 */
export async function startPostgres(dir: string, launch: Launcher): Promise<PostgresState> {
  const bindir = await postgresBindir();
  const state: PostgresState = {
    host: '127.0.0.1',
    port: await freePort(),
    user: 'postgres',
    password: makePassword(),
    bindir,
    dataDir: join(dir, 'data'),
  };
  mkdirSync(dir, { recursive: true });
  const owner = isRoot() ? await userIds('postgres') : undefined;
  if (owner) {
    openPathTo(dir);
    chownSync(dir, owner.uid, owner.gid);
  }
  // The password reaches initdb in a file only the server's user can read, never on a command line.
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, state.password + '\n', { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  const initdb = [
    join(bindir, 'initdb'),
    '-D',
    state.dataDir,
    '-U',
    state.user,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
    '--no-instructions',
  ];
  try {
    // runuser rather than spawn's uid option: runTool has none, and initdb is a one-off.
    await (owner ? runTool('runuser', ['-u', 'postgres', '--', ...initdb]) : runTool(initdb[0]!, initdb.slice(1)));
  } catch (e) {
    const hint = owner ? ` (it runs as the postgres user: every folder above ${dir} must be searchable by others)` : '';
    throw new Error(`initdb failed${hint}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
  const ready = join(bindir, 'pg_isready');
  launch.start({
    name: 'postgres',
    bin: join(bindir, 'postgres'),
    // TCP only: a Unix socket path would have to fit in 107 bytes, and clients use TENANTRY_PG_HOST anyway.
    args: [
      '-D',
      state.dataDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `port=${state.port}`,
      '-c',
      'unix_socket_directories=',
      ...PG_FAST.flatMap((c) => ['-c', c]),
    ],
    ...owner,
    // SIGTERM is a "smart" shutdown that waits for every client to disconnect; SIGINT disconnects them.
    stopSignal: 'SIGINT',
  });
  await launch.waitFor('postgres', async () => {
    await runTool(ready, ['-q', '-h', state.host, '-p', String(state.port)]);
    return true;
  });
  return state;
}

/**
 * Initialises and starts MariaDB in `dir` on a free loopback port and its own socket, with the
 * superuser `root` reachable over TCP with a password, and waits until it accepts that login.
 */
export async function startMariadb(dir: string, launch: Launcher): Promise<MariadbState> {
  const state: MariadbState = {
    host: '127.0.0.1',
    port: await freePort(),
    user: 'root',
    password: makePassword(),
    socket: join(dir, 'mariadb.sock'),
    dataDir: join(dir, 'data'),
  };
  // A Unix socket path has to fit in sun_path (108 bytes with its terminating NUL).
  if (Buffer.byteLength(state.socket) > 107)
    throw new Error(`the MariaDB socket path is too long for a Unix socket (${state.socket}): use a shorter TENANTRY_ENV_DIR`);
  mkdirSync(dir, { recursive: true });
  // mariadbd refuses to run as root unless told to; it then keeps root, which owns the data folder.
  const asUser = isRoot() ? ['--user=root'] : [];
  await runTool(findProgram(['mariadb-install-db', 'mysql_install_db']), [
    '--no-defaults',
    `--datadir=${state.dataDir}`,
    ...asUser,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    '--skip-name-resolve',
    ...MARIADB_FAST,
  ]);
  // Run by the server at every start, before it takes connections: so readiness below already
  // proves the password. root@127.0.0.1 because --skip-name-resolve never maps 127.0.0.1 to localhost.
  const initFile = join(dir, 'init.sql');
  const pw = state.password;
  writeFileSync(
    initFile,
    [
      `ALTER USER 'root'@'localhost' IDENTIFIED BY '${pw}';`,
      `CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '${pw}';`,
      `GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  launch.start({
    name: 'mariadb',
    bin: findProgram(['mariadbd', 'mysqld']),
    args: [
      '--no-defaults',
      `--datadir=${state.dataDir}`,
      `--socket=${state.socket}`,
      `--port=${state.port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      `--init-file=${initFile}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=128M',
      ...asUser,
      ...MARIADB_FAST,
    ],
  });
  const client = findProgram(['mariadb', 'mysql']);
  await launch.waitFor('mariadb', async () => {
    await runTool(
      client,
      ['--no-defaults', '--protocol=TCP', '-h', state.host, '-P', String(state.port), '-u', state.user, '-e', 'SELECT 1'],
      {
        env: { ...process.env, MYSQL_PWD: state.password },
      },
    );
    return true;
  });
  return state;
}
