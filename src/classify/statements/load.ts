/**
 * The shipped statement library, read once from library.ndjson.gz beside this module (npm run
 * build copies it into dist/). Package data, like the code: reading it is not per-record I/O.
 * A missing file yields an empty library, so lines fall back to masking, and `missing` says so.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { libraryOf, parseLibrary } from './library.ts';
import type { Library } from './types.ts';

export const LIBRARY_URL = new URL('./library.ndjson.gz', import.meta.url);

let loaded: { library: Library; missing: boolean } | null = null;

export function shippedLibrary(): { readonly library: Library; readonly missing: boolean } {
  if (loaded === null) {
    let buf: Buffer | null = null;
    try {
      buf = readFileSync(LIBRARY_URL);
    } catch {
      buf = null;
    }
    loaded =
      buf === null
        ? { library: libraryOf([]), missing: true }
        : { library: parseLibrary(gunzipSync(buf).toString('utf8')), missing: false };
  }
  return loaded;
}
