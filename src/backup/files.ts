// The tenant's files volume as a tar stream (GNU tar): backed up with names in a fixed order and
// numeric owners, restored by extracting next to the live content and swapping only after tar
// succeeded, so a damaged or cut-off archive never replaces anything.
//
// GNU tar refuses to extract members named with `..`, strips leading `/`, and does not write
// through symlinks it extracted (a link to outside plus a file "inside" it fails the extraction);
// the swap itself only renames top-level entries, which never follows a symlink.
//
// Not archived: ACLs, extended attributes, sockets, and filesystems mounted inside the folder.
// Owners are restored only when the agent runs as root. The swap is one rename per top-level
// entry: each is atomic, the whole is not, and a failure part-way moves everything back.
import { chmod, lstat, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { loadIntoTool, spawnProducer } from './zstd-program.js';

/** Prefix of the staging folder a restore extracts into, inside the restored folder (same filesystem: renames are atomic). */
const STAGING_PREFIX = '.tenantry-restore-';
/** Prefix of the folder a restore moves the replaced content into. */
const OLD_PREFIX = '.tenantry-old-';
/** The filesystem's own folder at the root of an ext4 volume: never backed up (root-only), never moved. */
const LOST_FOUND = 'lost+found';

/** Options of {@link tarDirectory}. */
export interface TarOptions {
  /** Called when tar succeeded with a warning (files that changed while being read: the archive is valid, those files may be torn). */
  onWarning?: (message: string) => void;
  /** The zstd program to compress the archive with on its way out (see spawnProducer); uncompressed without. */
  zstd?: string;
}

/** A tar in progress: the archive, and whether tar succeeded. */
export interface TarStream {
  /** The archive; errors instead of ending if tar fails, so a cut-off archive never looks complete. */
  stream: Readable;
  /** Resolves after tar exited successfully; rejects naming the folder, exit code and tar's messages. */
  done: Promise<void>;
}

/** Options of {@link restoreDirectory}. */
export interface RestoreDirectoryOptions {
  /** Makes the staging and old folder names unique to this restore ([A-Za-z0-9_-]). */
  suffix: string;
  /** Keep the replaced content in `<dir>/.tenantry-old-<suffix>` instead of removing it. */
  keepOld?: boolean;
  /** Awaited after the extraction succeeded and before the swap; a rejection removes the staging folder. */
  beforeSwap?: () => Promise<void>;
}

/** Whether a top-level name belongs to the filesystem or to a restore, not to the tenant. */
function reserved(name: string): boolean {
  return name === LOST_FOUND || name.startsWith(STAGING_PREFIX) || name.startsWith(OLD_PREFIX);
}

/** Removes a tree without following symlinks, making read-only folders writable first if needed (as a non-root user). */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
    await makeWritable(path);
    await rm(path, { recursive: true, force: true });
  }
}

/** Adds owner rwx to every folder of a tree (not following symlinks); entries that vanish meanwhile are skipped. */
async function makeWritable(path: string): Promise<void> {
  const s = await lstat(path).catch(() => undefined);
  if (!s?.isDirectory()) return;
  await chmod(path, (s.mode & 0o7777) | 0o700).catch(() => undefined);
  for (const name of await readdir(path).catch(() => [])) await makeWritable(join(path, name));
}

/**
 * Extracts a tar stream into `dir`; resolves with the bytes read. Fails on an archive without a
 * single member (GNU tar accepts one made only of end blocks), which would otherwise restore an
 * empty folder: every archive of ours has at least the "./" entry.
 */
async function extract(dir: string, tar: Readable, context: string): Promise<number> {
  // --preserve-permissions: modes as archived even when not root (root does it anyway); owners
  // are restored only when root, by number, since the agent's image knows no tenant's users.
  // --verbose lists the members on stdout, which only tells whether there were any.
  // --ignore-zeros: tar stops reading at the end-of-archive blocks, and Node then reports the rest
  // of the input (the archive's zero padding, still arriving) as "premature close"; reading to the
  // end also lets the digest and GCM checks upstream see every byte before the restore counts.
  let listed = 0;
  const bytes = await loadIntoTool(
    'tar',
    ['--extract', '--verbose', '--ignore-zeros', '--file=-', `--directory=${dir}`, '--numeric-owner', '--preserve-permissions'],
    { context },
    tar,
    (tool) => tool.stdout.on('data', (d: Buffer) => (listed += d.length)),
  );
  if (listed === 0) throw new Error(`${context}: the archive has no entries (not even "./"); refusing to restore an empty folder from it`);
  return bytes;
}

/**
 * Starts a tar of `dir`'s content: POSIX format (any name, nanosecond mtimes), sorted by name,
 * numeric owners, holes kept, not crossing into other filesystems. Leftovers of a restore and
 * lost+found at the top are left out.
 */
export function tarDirectory(dir: string, opts: TarOptions = {}): TarStream {
  const tool = spawnProducer(
    'tar',
    [
      '--create',
      '--file=-',
      '--format=posix',
      // Two tars of unchanged files are identical: no access or change times, no pid in header names.
      '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
      '--numeric-owner',
      '--sort=name',
      '--sparse',
      '--one-file-system',
      // Anchored: only the top-level names are excluded, not same-named files deeper down.
      '--anchored',
      `--exclude=./${STAGING_PREFIX}*`,
      `--exclude=./${OLD_PREFIX}*`,
      `--exclude=./${LOST_FOUND}`,
      `--directory=${dir}`,
      '.',
    ],
    // GNU tar's exit code 1 on --create means "some files changed while being read": the archive is complete.
    { context: `files: tar of ${dir}`, okExitCodes: [1] },
    opts.zstd,
  );
  const done = tool.done.then((r) => {
    if (r.exitCode !== 0) opts.onWarning?.(`files: tar of ${dir} succeeded, but files changed while they were read:\n${r.stderrTail}`);
  });
  done.catch(() => undefined);
  return { stream: tool.stream, done };
}

/**
 * Renames an entry into another folder. Moving a folder to a new parent rewrites its `..`, which
 * needs write permission on the folder itself: a read-only folder (not root) gets it for the move.
 */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    const s = await lstat(from).catch(() => undefined);
    if ((e as NodeJS.ErrnoException).code !== 'EACCES' || !s?.isDirectory()) throw e;
    const mode = s.mode & 0o7777;
    await chmod(from, mode | 0o200);
    let moved = false;
    try {
      await rename(from, to);
      moved = true;
    } finally {
      await chmod(moved ? to : from, mode);
    }
  }
}

/** Moves each entry; on failure moves back what was moved and rethrows. */
async function moveAll(moves: [string, string][]): Promise<void> {
  const done: [string, string][] = [];
  try {
    for (const [from, to] of moves) {
      await move(from, to);
      done.push([from, to]);
    }
  } catch (e) {
    for (const [from, to] of done.reverse()) await move(to, from).catch(() => undefined);
    throw e;
  }
}

/**
 * Restores `dir` from a tar stream: extracts into `<dir>/.tenantry-restore-<suffix>`; only if tar
 * succeeded, moves the live top-level entries into `<dir>/.tenantry-old-<suffix>` and the
 * extracted ones into place, then removes the old ones. On any failure the staging folder is
 * removed and the live content is as it was. The folder itself keeps its own owner, mode and
 * mtime (it is usually a mount point, set up by Kubernetes). Resolves with the archive bytes read.
 */
export async function restoreDirectory(dir: string, tar: Readable, opts: RestoreDirectoryOptions): Promise<{ bytes: number }> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(opts.suffix))
    throw new Error(`files: restore suffix "${opts.suffix}" must be letters, digits, _ and -`);
  const context = `files: restore of ${dir}`;
  const s = await stat(dir).catch((e: unknown) => {
    throw new Error(`${context}: ${(e as Error).message}`, { cause: e });
  });
  if (!s.isDirectory()) throw new Error(`${context}: not a folder`);
  const staging = join(dir, `${STAGING_PREFIX}${opts.suffix}`);
  const old = join(dir, `${OLD_PREFIX}${opts.suffix}`);
  await mkdir(staging, { mode: 0o700 }).catch((e: unknown) => {
    throw new Error(`${context}: cannot create the staging folder: ${(e as Error).message}`, { cause: e });
  });
  let bytes: number;
  try {
    bytes = await extract(staging, tar, context);
    await opts.beforeSwap?.();
  } catch (e) {
    await removeTree(staging).catch(() => undefined);
    throw e;
  }
  try {
    await mkdir(old, { mode: 0o700 });
    const live = (await readdir(dir)).filter((n) => !reserved(n));
    const staged = (await readdir(staging)).filter((n) => !reserved(n));
    await moveAll([
      ...live.map((n): [string, string] => [join(dir, n), join(old, n)]),
      ...staged.map((n): [string, string] => [join(staging, n), join(dir, n)]),
    ]);
  } catch (e) {
    await removeTree(staging).catch(() => undefined);
    await rmdir(old).catch(() => undefined);
    throw new Error(`${context}: moving the extracted files into place failed; the live files are as they were: ${(e as Error).message}`, {
      cause: e,
    });
  }
  await rmdir(staging);
  if (!opts.keepOld) {
    await removeTree(old).catch((e: unknown) => {
      throw new Error(
        `${context}: restored, but removing the replaced files in ${old} failed (remove it by hand): ${(e as Error).message}`,
        { cause: e },
      );
    });
  }
  return { bytes };
}

/** Extracts a tar stream into `dir` (created if missing, else it must be empty); empties it again if tar fails. */
export async function extractInto(dir: string, tar: Readable): Promise<{ bytes: number }> {
  const created = (await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined;
  if (!created && (await readdir(dir)).length)
    throw new Error(`files: ${dir} is not empty; extracting into it would mix two sets of files`);
  const context = `files: extraction into ${dir}`;
  try {
    return { bytes: await extract(dir, tar, context) };
  } catch (e) {
    if (created) await removeTree(dir).catch(() => undefined);
    else for (const n of await readdir(dir).catch(() => [])) await removeTree(join(dir, n)).catch(() => undefined);
    throw e;
  }
}
