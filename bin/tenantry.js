#!/usr/bin/env node
// Entry point of the `tenantry` command: the compiled CLI lives in dist/.
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Once the command has finished, nothing left open (a kept-alive socket, a child that would not
    // stop) may keep the process, and a Job's pod with it, running until its deadline.
    setTimeout(() => process.exit(), 5000).unref();
  },
  (err) => {
    process.stderr.write(`tenantry: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
