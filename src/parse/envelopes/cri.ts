/**
 * CRI container log format (kubelet / containerd / CRI-O files under /var/log/pods):
 * `<RFC3339Nano> <stdout|stderr> <tags> <content>`, tags `F` (full) or `P` (partial, the line
 * continues in the next entry of the same stream). Spec: kubernetes/cri-api, "CRI logging".
 */
import { parseRfc3339 } from '../timestamp.ts';
import type { Stream } from './types.ts';

export interface CriLine {
  readonly timeMs: number;
  readonly stream: Stream;
  readonly partial: boolean;
  readonly text: string;
}

/** Parses a CRI line, or null. Cheap reject: CRI lines start with a digit and have `T` at index 10. */
export function parseCri(s: string): CriLine | null {
  const c0 = s.charCodeAt(0);
  if (c0 < 48 || c0 > 57 || s.charCodeAt(10) !== 84) return null;
  const sp = s.indexOf(' ', 19);
  if (sp < 0) return null;
  const t = parseRfc3339(s, 0);
  if (!t || t.end !== sp) return null;
  let stream: Stream;
  if (s.startsWith('stdout ', sp + 1)) stream = 'stdout';
  else if (s.startsWith('stderr ', sp + 1)) stream = 'stderr';
  else return null;
  const tagStart = sp + 8;
  let tagEnd = s.indexOf(' ', tagStart);
  if (tagEnd < 0) tagEnd = s.length;
  const tags = s.slice(tagStart, tagEnd);
  // Tags are ':'-separated; only P/F are defined today.
  let partial: boolean;
  if (tags === 'F') partial = false;
  else if (tags === 'P') partial = true;
  else {
    const parts = tags.split(':');
    if (parts.length === 0 || !parts.every((p) => p.length > 0 && /^[A-Z]+$/.test(p))) return null;
    partial = parts.includes('P');
  }
  return { timeMs: t.ms, stream, partial, text: tagEnd < s.length ? s.slice(tagEnd + 1) : '' };
}
