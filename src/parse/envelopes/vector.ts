/**
 * Vector `kubernetes_logs` source: `{"message":"...","timestamp":"...","stream":"stderr",
 * "kubernetes":{"pod_name","pod_namespace","container_name","pod_node_name"}}`.
 */
import { envelopeTimeToMs } from '../timestamp.ts';
import { chomp, getPath, getString, isObject, messageText, meta, toStream } from './json.ts';
import type { JsonObject, ShipperFields } from './types.ts';

/** Vector's shape: `message` plus Vector-style kubernetes keys or a `timestamp` / `source_type`. */
export function isVector(o: JsonObject): boolean {
  const k = o.kubernetes;
  if (isObject(k)) {
    return k.pod_name !== undefined || k.pod_namespace !== undefined || k.pod_node_name !== undefined;
  }
  return o.timestamp !== undefined || o.source_type !== undefined;
}

export function fromVector(o: JsonObject): ShipperFields | null {
  const text = messageText(o.message);
  if (text === null) return null;
  const k = isObject(o.kubernetes) ? o.kubernetes : {};
  return {
    wrapper: 'vector',
    text: chomp(text),
    envelopeTimeMs: envelopeTimeToMs(o.timestamp ?? getPath(o, '@timestamp')),
    stream: toStream(o.stream),
    partial: false,
    kubernetes: meta(
      getString(k, 'pod_node_name'),
      getString(k, 'pod_namespace'),
      getString(k, 'pod_name'),
      getString(k, 'container_name'),
      getString(k, 'container_image'),
    ),
  };
}
