#!/usr/bin/env node
// `npm test` entry: bootstraps a fresh clone, then hands over to the compiled test driver.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const boot = spawnSync(process.execPath, [join(root, 'scripts', 'bootstrap.mjs')], { stdio: 'inherit' });
if (boot.status !== 0) process.exit(boot.status ?? 1);
const r = spawnSync(process.execPath, [join(root, 'dist', 'test', 'run.js'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
