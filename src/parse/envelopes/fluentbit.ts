/**
 * Fluent Bit / Fluentd (kubernetes filter / kubernetes_metadata plugin):
 * `{"log":"...","stream":"stderr","time":"...","kubernetes":{"pod_name","namespace_name","container_name","host"}}`.
 * The `log` value may itself be a raw CRI line (tail input without the cri parser); index.ts
 * unwraps that second layer.
 */
import { envelopeTimeToMs } from '../timestamp.ts';
import { chomp, getString, isObject, meta, toStream } from './json.ts';
import type { JsonObject, ShipperFields } from './types.ts';

export function fromFluentBit(o: JsonObject): ShipperFields | null {
  const log = o.log;
  if (typeof log !== 'string') return null;
  const k = isObject(o.kubernetes) ? o.kubernetes : {};
  const time = o.time ?? o['@timestamp'] ?? o.timestamp ?? o.date;
  return {
    wrapper: 'fluentbit',
    text: chomp(log),
    envelopeTimeMs: envelopeTimeToMs(time),
    stream: toStream(o.stream),
    partial: false,
    kubernetes: meta(
      getString(k, 'host'),
      getString(k, 'namespace_name'),
      getString(k, 'pod_name'),
      getString(k, 'container_name'),
    ),
  };
}
