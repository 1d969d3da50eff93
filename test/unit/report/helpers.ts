/** Shared by the report tests: the report JSON Schema validator (ajv, formats checked here). */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function schemaValidator(file: string): (x: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addFormat('date-time', DATE_TIME);
  const validate = ajv.compile(
    JSON.parse(readFileSync(new URL(`../../../schemas/${file}`, import.meta.url), 'utf8')),
  );
  return (x) => (validate(x) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
