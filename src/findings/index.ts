/** Findings over summaries (pure): see ./detect.ts and docs/FINDINGS.md. */
export { DEFAULT_FINDINGS_CONFIG, type FindingsConfig } from './config.ts';
export { computeFindings, findingDay, MAX_NODES, MAX_SERIES } from './detect.ts';
export { FindingsInputBuilder } from './input.ts';
export { isAffected, KNOWN_ISSUES, matchKnownIssue, parseVersion, versionOfImage } from './known-issues.ts';
export * from './types.ts';
