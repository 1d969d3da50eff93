/**
 * A secret value (password, API key) that cannot leak by accident: every way a value turns into
 * text — String(), template literals, JSON.stringify, util.inspect (pino, console.log, vitest
 * diffs) — gives `**REDACTED**`. The value itself only comes out through `reveal()`, called where a
 * client is built (src/sources/kafka/options.ts, src/sinks/elasticsearch/options.ts, the Kibana
 * request). `source` says where it came from, without the value, for `logsift config show`.
 */
import { inspect } from 'node:util';

export const REDACTED = '**REDACTED**';

export interface SecretSource {
  /** env: a variable holding the value; file: a file named by a `*_FILE` variable or `*File` key; config: the --config file. */
  readonly from: 'env' | 'file' | 'config' | 'flag';
  /** The variable, config key or flag that gave it (`ES_PASSWORD_FILE`, `elasticsearch.passwordFile`, `--password-file`). */
  readonly name: string;
  /** The file read, for `from: 'file'`. */
  readonly path?: string;
}

export class Secret {
  readonly #value: string;
  readonly source: SecretSource;

  constructor(value: string, source: SecretSource) {
    this.#value = value;
    this.source = Object.freeze({ ...source });
    Object.freeze(this);
  }

  /** The value. Call it only where the value is handed to a client library. */
  reveal(): string {
    return this.#value;
  }

  /** Where it came from, in words (`file /run/secrets/es-password (ES_PASSWORD_FILE)`). */
  describeSource(): string {
    const s = this.source;
    return s.from === 'file' ? `file ${s.path} (${s.name})` : `${s.from} ${s.name}`;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}
