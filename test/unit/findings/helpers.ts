/**
 * Runs generated Calico days through the real CLI (`logsift replay` then `logsift report -f json`),
 * in-process, and reads the summaries back as a FindingsInput, for the findings tests.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { command as replay } from '../../../src/cli/replay.ts';
import { command as report } from '../../../src/cli/report.ts';
import type { CliIO } from '../../../src/cli/types.ts';
import { FindingsInputBuilder } from '../../../src/findings/input.ts';
import type { FindingsInput } from '../../../src/findings/types.ts';
import type { ReportModel } from '../../../src/report/model.ts';
import type { Day } from '../../helpers/calico-day.ts';

export function io(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c) => {
    o += c;
  });
  stderr.on('data', (c) => {
    e += c;
  });
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    now: () => Date.parse('2025-01-15T00:00:00Z'),
    stderrIsTTY: false,
    out: () => o,
    err: () => e,
  };
}

/** `logsift replay FILE --out DIR -q` over the day's lines; returns DIR. */
export async function replayDay(day: Day, name = 'day'): Promise<string> {
  const base = mkdtempSync(join(tmpdir(), `logsift-findings-${name}-`));
  const file = join(base, `${name}.log`);
  writeFileSync(file, `${day.lines.join('\n')}\n`);
  const dir = join(base, 'out');
  const x = io();
  const code = await replay.run([file, '--out', dir, '-q'], x);
  if (code !== 0) throw new Error(`replay exited ${code}: ${x.err()}`);
  return dir;
}

/** `logsift report --dir DIR -f json [args]`: the model. */
export async function reportJson(dir: string, args: string[] = []): Promise<ReportModel> {
  const x = io();
  const code = await report.run(['--dir', dir, '-f', 'json', ...args], x);
  if (code !== 0) throw new Error(`report exited ${code}: ${x.err()}`);
  return JSON.parse(x.out()) as ReportModel;
}

/** The summaries of DIR as the findings read them. */
export function inputOf(dir: string): FindingsInput {
  const b = new FindingsInputBuilder();
  for (const line of readFileSync(join(dir, 'summaries.ndjson'), 'utf8').split('\n'))
    if (line.trim() !== '') b.addDoc(JSON.parse(line)._source);
  return b.build();
}
