/** Which shipper wrote a parsed JSON envelope, by the keys present. Pure, never throws. */
import { fromDocker } from './docker.ts';
import { fromFilebeat } from './filebeat.ts';
import { fromFluentBit } from './fluentbit.ts';
import { fromOtel } from './otel.ts';
import type { JsonObject, ShipperFields } from './types.ts';
import { fromVector, isVector } from './vector.ts';

/** Picks the shipper by the keys present. Order matters: OTLP, `log`, `message`, `body`. Exported for tests (fast-path equivalence). */
export function fromJson(o: JsonObject): ShipperFields | null {
  if (Array.isArray(o.resourceLogs)) return fromOtel(o);
  if (typeof o.log === 'string') return fromDocker(o) ?? fromFluentBit(o);
  // An object `log` is ECS log metadata (Filebeat's container/filestream inputs add
  // `"log":{"offset":…,"file":{"path":…}}`): the text is in `message`.
  if (o.log !== undefined && o.log !== null && (typeof o.log !== 'object' || o.message === undefined)) {
    return null;
  }
  if (o.message !== undefined && o.message !== null) {
    if (isVector(o)) return fromVector(o);
    return fromFilebeat(o);
  }
  if (o.body !== undefined && o.body !== null) return fromOtel(o);
  return null;
}
