/**
 * Filebeat / Elastic Agent (ECS): `{"@timestamp":"...","message":"...","stream":"stderr",
 * "kubernetes":{"pod":{"name"},"namespace":"...","node":{"name"},"container":{"name"}},
 * "container":{"name","image":{"name","tag":[…]}},"host":{"name"}}`. Keys may be nested or dotted
 * (`"kubernetes.pod.name"`).
 */
import { envelopeTimeToMs } from '../timestamp.ts';
import { chomp, firstString, getPath, getString, imageRef, messageText, meta, toStream } from './json.ts';
import type { JsonObject, ShipperFields } from './types.ts';

export function fromFilebeat(o: JsonObject): ShipperFields | null {
  const text = messageText(o.message);
  if (text === null) return null;
  // ECS 8: kubernetes.namespace is a string; some versions nest kubernetes.namespace.name.
  const ns = getString(o, 'kubernetes.namespace') ?? getString(o, 'kubernetes.namespace.name');
  return {
    wrapper: 'filebeat',
    text: chomp(text),
    envelopeTimeMs: envelopeTimeToMs(getPath(o, '@timestamp')),
    stream: toStream(o.stream ?? getPath(o, 'log.iostream')),
    partial: false,
    kubernetes: meta(
      getString(o, 'kubernetes.node.name') ?? getString(o, 'host.name'),
      ns,
      getString(o, 'kubernetes.pod.name'),
      getString(o, 'kubernetes.container.name') ?? getString(o, 'container.name'),
      // ECS: container.image.name (+ container.image.tag, a list); older Filebeat kubernetes.container.image.
      imageRef(getString(o, 'container.image.name'), firstString(getPath(o, 'container.image.tag'))) ??
        getString(o, 'kubernetes.container.image'),
    ),
  };
}
