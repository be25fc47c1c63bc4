#!/usr/bin/env node
// Entry point of the `tenantry` command: the compiled CLI lives in dist/.
import { main } from '../dist/src/cli.js';

// The AWS SDK prints a multi-line notice on Node 20 about its future Node 22 requirement, in the
// middle of the JSON-lines log that log pipelines parse. The supported Node versions are pinned by
// package.json (engines) and the image; an operator can still opt back in by setting it to false.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
