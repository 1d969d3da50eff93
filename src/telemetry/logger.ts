/**
 * The process logger: pino, JSON lines on stderr (stdout carries command output: NDJSON, reports).
 * Lifecycle and infrastructure events only — never one line per record.
 */
import pino from 'pino';
import type { LogLevel } from '../config/index.ts';

export type Logger = pino.Logger;

export function createLogger(level: LogLevel, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'calico-logsift', ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
