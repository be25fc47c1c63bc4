// The files of spec.lifecycle.billingExport.paths in the tenant's files volume: each path a file
// or a folder (taken whole), relative to the volume's root. Nothing outside the root is read:
// `..` is refused, and symlinks are neither followed nor exported silently, they fail the export.
import { lstat, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** A file to export. */
export interface ExportFile {
  /** Path relative to the volume's root, `/`-separated. */
  path: string;
  /** Absolute path on this machine. */
  absolute: string;
  size: number;
  mtime: Date;
  mode: number;
}

/** Returns a billing path normalized (no `.`, no double or trailing `/`), or throws if it is absolute or climbs out. */
export function normalizeBillingPath(path: string): string {
  if (path === '' || path.startsWith('/') || path.includes('\0'))
    throw new Error(`billing export: path ${JSON.stringify(path)} must be relative to the files volume's root`);
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`billing export: path ${JSON.stringify(path)} must not contain ..`);
  if (parts.length === 0) return '.';
  return parts.join('/');
}

async function walk(root: string, rel: string, out: ExportFile[], named: string): Promise<void> {
  const absolute = rel === '.' ? root : join(root, rel);
  const s = await lstat(absolute).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT')
      throw new Error(
        `billing export: path ${named} does not exist in the files volume: fix spec.lifecycle.billingExport.paths; nothing was exported`,
      );
    throw new Error(`billing export: cannot read ${rel} (of path ${named}): ${e.message}`);
  });
  if (s.isFile()) {
    out.push({ path: rel, absolute, size: s.size, mtime: s.mtime, mode: s.mode & 0o777 });
    return;
  }
  if (s.isDirectory()) {
    const names = (await readdir(absolute)).sort();
    for (const name of names) await walk(root, rel === '.' ? name : posix.join(rel, name), out, named);
    return;
  }
  const kind = s.isSymbolicLink() ? 'a symlink' : 'not a regular file or folder';
  throw new Error(`billing export: ${rel} (of path ${named}) is ${kind}; the export takes regular files only, so nothing was exported`);
}

/**
 * Lists the files under the given paths, sorted, each once (paths that overlap are merged).
 * Throws naming a path that does not exist, a symlink, or anything but files and folders.
 */
export async function collectFiles(root: string, paths: readonly string[]): Promise<ExportFile[]> {
  const found = new Map<string, ExportFile>();
  for (const p of paths) {
    const files: ExportFile[] = [];
    await walk(root, normalizeBillingPath(p), files, JSON.stringify(p));
    for (const f of files) found.set(f.path, f);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
