import type { ReportModel } from '../model.ts';

/** The JSON form: the model itself (schemas/report.schema.json), every figure the other forms show. */
export function renderJson(m: ReportModel): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}
