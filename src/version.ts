// The version of this build, read from package.json so there is one place to bump it.
import { readFileSync } from 'node:fs';

/** Returns the package version of this build of Tenantry. */
export function tenantryVersion(): string {
  // dist/src/version.js and src/version.ts are both two levels below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
