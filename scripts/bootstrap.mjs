#!/usr/bin/env node
// Makes a fresh clone usable with no step before `npm start` / `npm test`:
// installs dependencies when package-lock.json changed since the last install, then
// compiles TypeScript incrementally. Plain JavaScript because it runs before anything is installed,
// on whatever Node the machine has.
//
//   node scripts/bootstrap.mjs [--no-build] [SCRIPT [ARG…]]
//
// With a SCRIPT, it then runs that script under the project's Node: the Node.js 24 binary that
// `npm ci` installs from the registry (the optional `node-linux-*` packages, pinned and checked by
// package-lock.json), or where none exists for this platform, the running Node if it is new enough.
// Scripts therefore call this with the script to run, not `bootstrap && node SCRIPT`: on a fresh
// clone the shell has already looked up `node` on PATH (the system's) before `npm ci` put the
// project's in node_modules/.bin, and it keeps using the one it found. `--no-build` skips the
// compile for a second script in the same npm script.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[bootstrap] ${msg}\n`);
/** The Node.js major version the project runs on: the lower bound of package.json's engines. */
const nodeMajor = Number(/\d+/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node)[0]);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    log(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

/** Returns the Node binary the project runs on, or exits when only a too old one is found. */
function projectNode() {
  const pinned = join(root, 'node_modules', '.bin', 'node');
  const node = existsSync(pinned) ? pinned : process.execPath;
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!(Number(/^v(\d+)/.exec(version)?.[1]) >= nodeMajor)) {
    const platform = `${process.platform}-${process.arch}`;
    log(`Node.js ${nodeMajor} or newer is needed: ${node} is ${version || 'not runnable'}, and npm installs none for ${platform}`);
    process.exit(1);
  }
  return node;
}

const args = process.argv.slice(2);
const build = args[0] !== '--no-build';
if (!build) args.shift();

const lock = readFileSync(join(root, 'package-lock.json'));
const want = createHash('sha256').update(lock).digest('hex');
const stamp = join(root, 'node_modules', '.tenantry-lock-sha256');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (have !== want) {
  // Under an older Node, npm warns (EBADENGINE) that the project needs a newer one: expected, as
  // that Node only runs this script and npm, and npm ci installs the project's.
  const older = Number(process.versions.node.split('.')[0]) < nodeMajor;
  log(`installing dependencies (npm ci)${older ? `, and Node.js ${nodeMajor} beside the system's ${process.version}` : ''}`);
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, want + '\n');
}
const node = projectNode();
if (build) run(node, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);

if (args.length > 0) {
  // node_modules/.bin first on PATH, so that what the script starts (eslint, a child `node`) runs
  // on the same Node, also when this was not started by npm.
  const path = new Set([join(root, 'node_modules', '.bin'), dirname(node), process.env.PATH ?? '']);
  const child = spawn(node, args, { stdio: 'inherit', env: { ...process.env, PATH: [...path].join(delimiter) } });
  // A signal sent to this process alone is passed on; Ctrl-C reaches the child from the terminal
  // itself. Either way this process exits when the child has stopped, with its status.
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  process.on('SIGINT', () => {});
  child.on('error', (e) => {
    log(`${node} ${args.join(' ')}: ${e.message}`);
    process.exit(1);
  });
  child.on('close', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}
