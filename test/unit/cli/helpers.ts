import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../../src/cli/index.ts';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process with captured stdout/stderr and a pinned clock. */
export async function cli(
  argv: string[],
  options: { env?: Record<string, string>; stdin?: string | Buffer } = {},
): Promise<Ran> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await runCli(argv, {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    now: () => Date.UTC(2025, 0, 15),
    stderrIsTTY: false,
  });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
