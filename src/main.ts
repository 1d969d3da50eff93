/** Entry point: argv → command → exit code. Everything else lives in src/cli/. */
import { runCli } from './cli/index.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  now: Date.now,
  stderrIsTTY: process.stderr.isTTY === true,
});
process.exitCode = code;
