// The end-of-run summary: counts by status and reason, and every failed account by name.
import type { RunResult } from '../collector/collect-run.ts';

export function formatRunSummary(result: RunResult, seconds: number, location: string): string {
  const by = (status: string) => result.outcomes.filter((o) => o.status === status);
  const reasons = (status: string) => {
    const counts = new Map<string, number>();
    for (const o of by(status)) counts.set(o.reason ?? 'none', (counts.get(o.reason ?? 'none') ?? 0) + 1);
    return counts.size ? `  (${[...counts].map(([r, n]) => `${r} ${n}`).join(', ')})` : '';
  };
  const collected = by('collected');
  const reused = collected.filter((o) => o.reason === 'already_collected').length;
  const lines = [
    `run ${result.runId} for ${result.dt}: ${result.outcomes.length} accounts in ${seconds.toFixed(1)} s${result.interrupted ? ' (INTERRUPTED)' : ''}`,
    `  collected ${String(collected.length).padStart(5)}${reused ? `  (${reused} already collected earlier today, kept as they were)` : ''}`,
    `  failed    ${String(by('failed').length).padStart(5)}${reasons('failed')}`,
    `  skipped   ${String(by('skipped').length).padStart(5)}${reasons('skipped')}`,
  ];
  const failed = by('failed');
  if (failed.length) {
    lines.push('failed accounts:');
    for (const o of failed.slice(0, 50)) {
      // Whole: an AccessDenied message names the action and the role, which is what to fix.
      lines.push(
        `  ${o.accountId}  ${(o.accountName ?? '').padEnd(18)}  ${(o.reason ?? '').padEnd(16)}  ${o.message ?? ''}`,
      );
    }
    if (failed.length > 50) lines.push(`  ... and ${failed.length - 50} more (see collection_coverage)`);
  }
  const org = result.organization;
  const said = {
    first: 'taken by this run',
    kept: 'the one taken earlier today (the organization has not changed)',
    changed: 'a new one: the organization changed since the one taken earlier today',
  }[org.use];
  lines.push(`organization snapshot: ${said} (${result.snapshot.accounts.length} accounts, ${org.key})`);
  lines.push(`lake: ${location}   manifest: ${result.manifestKey}`);
  return `${lines.join('\n')}\n`;
}
