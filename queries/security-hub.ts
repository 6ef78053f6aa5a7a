// A snapshot's findings into Security Hub: every standing finding imported (created, or updated
// by its stable id), each resolved one archived and its workflow set to RESOLVED, each waived one
// SUPPRESSED with the waiver's reason in its note, and each reopened one (its waiver lapsed) back
// to NEW. Imports go in batches of 100; workflow and notes are set with BatchUpdateFindings, as
// Security Hub requires once a finding exists. Every refusal is counted and named, never dropped.
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { type AsffContext, asffId, productArn, toAsff } from './asff.ts';
import type { PlainValue } from './values.ts';

type Row = Record<string, PlainValue>;

export const SECURITY_HUB_BATCH = 100;

export interface SecurityHubInput {
  /** The snapshot's findings (findings table rows, with `first_seen`). */
  readonly findings: readonly Row[];
  /** The findings findings_changes says were resolved, as their previous snapshot had them. */
  readonly resolved: readonly Row[];
  /** The finding keys findings_changes says were reopened. */
  readonly reopened: ReadonlySet<string>;
  /** The day's waivers, by id: the note a suppressed finding carries. */
  readonly waivers: ReadonlyMap<string, { reason: string; approvedBy: string; expires: string }>;
}

export interface SecurityHubResult {
  readonly imported: number;
  readonly archived: number;
  readonly suppressed: number;
  readonly reopened: number;
  readonly resolved: number;
  /** Findings Security Hub refused, with its reason. */
  readonly failed: { id: string; error: string }[];
}

export async function exportToSecurityHub(
  client: SecurityHubClient,
  ctx: AsffContext,
  input: SecurityHubInput,
): Promise<SecurityHubResult> {
  const failed: { id: string; error: string }[] = [];
  const importAll = async (findings: ReturnType<typeof toAsff>[]) => {
    const ok = new Set<string>();
    for (let i = 0; i < findings.length; i += SECURITY_HUB_BATCH) {
      const batch = findings.slice(i, i + SECURITY_HUB_BATCH);
      // The ASFF objects are plain data in the shape the SDK's AwsSecurityFinding declares.
      const out = await client.send(new BatchImportFindingsCommand({ Findings: batch as never }));
      const refused = new Map(
        (out.FailedFindings ?? []).map((f) => [f.Id ?? '', `${f.ErrorCode}: ${f.ErrorMessage}`]),
      );
      for (const f of batch) {
        const error = refused.get(f.Id);
        if (error) failed.push({ id: f.Id, error });
        else ok.add(f.Id);
      }
    }
    return ok;
  };
  const update = async (
    ids: string[],
    change: { Workflow?: { Status: string }; Note?: { Text: string; UpdatedBy: string } },
  ) => {
    let done = 0;
    for (let i = 0; i < ids.length; i += SECURITY_HUB_BATCH) {
      const out = await client.send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: ids
            .slice(i, i + SECURITY_HUB_BATCH)
            .map((Id) => ({ Id, ProductArn: productArn(ctx) })),
          ...(change as object),
        }),
      );
      done += out.ProcessedFindings?.length ?? 0;
      for (const u of out.UnprocessedFindings ?? [])
        failed.push({ id: u.FindingIdentifier?.Id ?? '', error: `${u.ErrorCode}: ${u.ErrorMessage}` });
    }
    return done;
  };

  const standing = input.findings.map((row) => ({ row, asff: toAsff(row, ctx) }));
  const imported = await importAll(standing.map((s) => s.asff));
  const archivedIds = await importAll(input.resolved.map((row) => toAsff(row, ctx, 'ARCHIVED')));
  const resolved = await update([...archivedIds], {
    Workflow: { Status: 'RESOLVED' },
    Note: { Text: 'Resolved: no longer found by credlake in the latest snapshot', UpdatedBy: 'credlake' },
  });
  // Suppressed findings, one note per waiver (its reason, approver and expiry).
  let suppressed = 0;
  const byWaiver = new Map<string, string[]>();
  for (const { row, asff } of standing)
    if (row.waiver_status === 'waived' && imported.has(asff.Id)) {
      const id = String(row.waiver_id);
      byWaiver.set(id, [...(byWaiver.get(id) ?? []), asff.Id]);
    }
  for (const [id, ids] of byWaiver) {
    const w = input.waivers.get(id);
    const text = `Waived by credlake waiver ${id} until ${w?.expires ?? '?'} (approved by ${w?.approvedBy ?? '?'}): ${w?.reason ?? ''}`;
    suppressed += await update(ids, {
      Workflow: { Status: 'SUPPRESSED' },
      Note: { Text: text.slice(0, 512), UpdatedBy: 'credlake' },
    });
  }
  const reopenedIds = standing
    .filter(({ row, asff }) => input.reopened.has(String(row.finding_key)) && imported.has(asff.Id))
    .map(({ asff }) => asff.Id);
  const reopened = reopenedIds.length
    ? await update(reopenedIds, {
        Workflow: { Status: 'NEW' },
        Note: {
          Text: 'Reopened: the credlake waiver that covered it has lapsed or was withdrawn',
          UpdatedBy: 'credlake',
        },
      })
    : 0;
  return { imported: imported.size, archived: archivedIds.size, suppressed, reopened, resolved, failed };
}

export { asffId };

const quoted = (values: string[]) => values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');

/** The findings matching `where`, each with the first snapshot that held it (FirstObservedAt). */
export function securityHubFindingsSql(where: string): string {
  return `SELECT f.*, s.first_seen FROM findings f
LEFT JOIN (SELECT finding_key, min(dt) AS first_seen FROM findings GROUP BY finding_key) s
  ON s.finding_key = f.finding_key
WHERE ${where}`;
}

/**
 * What a snapshot hands Security Hub, read with any engine (`query` runs SQL over the findings
 * and waivers tables): the snapshot's findings, the resolved ones as their previous snapshot had
 * them, and the day's waivers; `changes` are the snapshot's findings_changes rows.
 */
export async function securityHubInput(
  query: (sql: string) => Promise<Row[]>,
  dt: string,
  changes: readonly Row[],
): Promise<SecurityHubInput> {
  const findings = await query(securityHubFindingsSql(`f.dt = '${dt}'`));
  const resolvedRows = changes.filter((r) => r.change === 'resolved');
  const resolved: Row[] = [];
  for (const previous of new Set(resolvedRows.map((r) => String(r.previous_dt)))) {
    const keys = resolvedRows
      .filter((r) => String(r.previous_dt) === previous)
      .map((r) => String(r.finding_key));
    resolved.push(
      ...(await query(securityHubFindingsSql(`f.dt = '${previous}' AND f.finding_key IN (${quoted(keys)})`))),
    );
  }
  const waivers = await query(
    `SELECT waiver_id, reason, approved_by, expires FROM waivers WHERE dt = '${dt}'`,
  );
  return {
    findings,
    resolved,
    reopened: new Set(changes.filter((r) => r.change === 'reopened').map((r) => String(r.finding_key))),
    waivers: new Map(
      waivers.map((w) => [
        String(w.waiver_id),
        { reason: String(w.reason), approvedBy: String(w.approved_by), expires: String(w.expires) },
      ]),
    ),
  };
}
