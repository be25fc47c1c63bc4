// A ReleaseChannel's revision identity: a change of spec.images or spec.security is a new revision,
// anything else (waves, soak time, windows) is not. The hash is over canonical JSON, so key order in
// the manifest and absent-versus-omitted fields do not make a new revision.
import { createHash } from 'node:crypto';
import type { ReleaseChannelSpec, ReleaseChannelStatusImages } from '../api/generated/index.js';
import { canonicalJson } from '../controller/diff.js';

/** Hex characters of the sha256 kept in status.imagesHash. */
export const IMAGES_HASH_LENGTH = 16;

/** The images of a spec as status.images stores them: only the components that are set, in a fixed key order. */
export function revisionImages(spec: Pick<ReleaseChannelSpec, 'images'>): ReleaseChannelStatusImages {
  const { app, postgres, mariadb } = spec.images;
  return { app, ...(postgres === undefined ? {} : { postgres }), ...(mariadb === undefined ? {} : { mariadb }) };
}

/** sha256 (first 16 hex characters) of the canonical JSON of `{images, security}`; security defaults to false. */
export function imagesHash(spec: Pick<ReleaseChannelSpec, 'images' | 'security'>): string {
  const canonical = canonicalJson({ images: revisionImages(spec), security: spec.security ?? false });
  return createHash('sha256').update(canonical).digest('hex').slice(0, IMAGES_HASH_LENGTH);
}
