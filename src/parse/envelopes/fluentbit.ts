/**
 * Fluent Bit / Fluentd (kubernetes filter / kubernetes_metadata plugin):
 * `{"log":"...","stream":"stderr","time":"...","kubernetes":{"pod_name","namespace_name","container_name","host"}}`.
 * The `log` value may itself be a raw CRI line (tail input without the cri parser); index.ts
 * unwraps that second layer.
 */
import type { KubernetesMeta } from '../../domain/record.ts';
import { envelopeTimeToMs } from '../timestamp.ts';
import { chomp, getString, isObject, meta, toStream } from './json.ts';
import type { JsonObject, ShipperFields } from './types.ts';

/** KubernetesMeta of a Fluent Bit `kubernetes` object. */
export function fluentBitMeta(k: JsonObject): KubernetesMeta {
  return meta(
    getString(k, 'host'),
    getString(k, 'namespace_name'),
    getString(k, 'pod_name'),
    getString(k, 'container_name'),
    getString(k, 'container_image'),
  );
}

/** The fields of `o` (whose `log` is a string) with its `kubernetes` already turned into `kubernetes`. */
export function fluentBitFields(o: JsonObject, kubernetes: KubernetesMeta): ShipperFields {
  const time = o.time ?? o['@timestamp'] ?? o.timestamp ?? o.date;
  return {
    wrapper: 'fluentbit',
    text: chomp(o.log as string),
    envelopeTimeMs: envelopeTimeToMs(time),
    stream: toStream(o.stream),
    partial: false,
    kubernetes,
  };
}

export function fromFluentBit(o: JsonObject): ShipperFields | null {
  if (typeof o.log !== 'string') return null;
  return fluentBitFields(o, fluentBitMeta(isObject(o.kubernetes) ? o.kubernetes : {}));
}
