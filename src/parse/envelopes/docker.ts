/**
 * Docker json-file log driver: `{"log":"line\n","stream":"stderr","time":"2026-01-10T10:00:00.1Z"}`.
 * Docker splits lines longer than 16 KiB into several entries; only the last one ends with `\n`
 * (moby daemon/logger/copier.go, bufSize 16 KiB). An entry of >= 16 KiB without a newline is
 * therefore a partial line.
 */
import { envelopeTimeToMs } from '../timestamp.ts';
import { chomp, isObject, toStream } from './json.ts';
import type { JsonObject, ShipperFields } from './types.ts';

const DOCKER_SPLIT = 16 * 1024;

/** Docker's own shape: `log` plus `stream`/`time`, no Kubernetes metadata (that is a shipper). */
export function fromDocker(o: JsonObject): ShipperFields | null {
  const log = o.log;
  if (typeof log !== 'string') return null;
  if (o.stream === undefined && o.time === undefined) return null;
  if (isObject(o.kubernetes)) return null;
  const endsWithNewline = log.endsWith('\n');
  return {
    wrapper: 'docker',
    text: chomp(log),
    envelopeTimeMs: envelopeTimeToMs(o.time),
    stream: toStream(o.stream),
    partial: !endsWithNewline && log.length >= DOCKER_SPLIT,
    kubernetes: {},
  };
}
