// Security Hub's finding APIs as credlake uses them (REST JSON): BatchImportFindings,
// BatchUpdateFindings and GetFindings, with the rules the real service applies and that a
// client gets wrong first: at most 100 findings a batch; every required ASFF field; a default
// product ARN of the caller's own account and region; with that product, every finding's
// AwsAccountId the caller's; and after a finding exists, an import leaves its workflow fields
// (Note, UserDefinedFields, VerificationState, Workflow) as they are: only BatchUpdateFindings
// changes them.
import { ServiceError } from './wire.ts';

export type Asff = Record<string, unknown> & { Id: string; ProductArn: string };

const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
] as const;
const WORKFLOW_FIELDS = ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow'] as const;
const WORKFLOW_STATUSES = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'];
const MAX_BATCH = 100;
const MAX_FINDING_BYTES = 240 * 1024;

export class SimulatedSecurityHub {
  /** Every finding held, by product ARN and id. */
  readonly findings = new Map<string, Asff>();
  /** Calls per operation, and the largest batch seen. */
  readonly stats = { imports: 0, updates: 0, largestBatch: 0 };

  handle(
    method: string,
    path: string,
    input: Record<string, unknown>,
    caller: { account: string; region: string },
  ) {
    if (method === 'POST' && path === '/findings/import') return this.batchImport(input, caller);
    if (method === 'PATCH' && path === '/findings/batchupdate') return this.batchUpdate(input);
    if (method === 'POST' && path === '/findings') return this.getFindings(input);
    throw new ServiceError(
      400,
      'UnknownOperationException',
      `The simulator does not serve ${method} ${path}`,
    );
  }

  private batchImport(input: Record<string, unknown>, caller: { account: string; region: string }) {
    const findings = input.Findings;
    if (!Array.isArray(findings) || findings.length === 0 || findings.length > MAX_BATCH)
      throw new ServiceError(
        400,
        'InvalidInputException',
        `Findings must hold between 1 and ${MAX_BATCH} findings, got ${Array.isArray(findings) ? findings.length : 'none'}`,
      );
    this.stats.imports++;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, findings.length);
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const product = `arn:aws:securityhub:${caller.region}:${caller.account}:product/${caller.account}/default`;
    for (const f of findings as Record<string, unknown>[]) {
      const id = typeof f.Id === 'string' ? f.Id : '';
      const fail = (ErrorCode: string, ErrorMessage: string) =>
        failed.push({ Id: id, ErrorCode, ErrorMessage });
      const missing = REQUIRED.filter((k) => f[k] === undefined || f[k] === null || f[k] === '');
      if (missing.length) {
        fail('InvalidInput', `Finding is missing required field(s): ${missing.join(', ')}`);
        continue;
      }
      if (f.SchemaVersion !== '2018-10-08') {
        fail('InvalidInput', `Unsupported SchemaVersion ${String(f.SchemaVersion)}`);
        continue;
      }
      if (
        !/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/[^/]+\/[^/]+$/.test(String(f.ProductArn))
      ) {
        fail('InvalidInput', `Invalid ProductArn ${String(f.ProductArn)}`);
        continue;
      }
      if (f.ProductArn !== product) {
        fail('AccessDeniedException', `The caller may not import findings for ${String(f.ProductArn)}`);
        continue;
      }
      if (f.AwsAccountId !== caller.account) {
        fail(
          'AccessDeniedException',
          `With the default product, AwsAccountId must be the caller's account ${caller.account}, got ${String(f.AwsAccountId)}`,
        );
        continue;
      }
      const resources = f.Resources as unknown[];
      if (!Array.isArray(resources) || resources.length === 0 || resources.length > 32) {
        fail('InvalidInput', 'Resources must hold between 1 and 32 resources');
        continue;
      }
      const severity = f.Severity as { Label?: string; Normalized?: number } | undefined;
      if (
        !severity?.Label ||
        !['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(severity.Label)
      ) {
        fail('InvalidInput', 'Severity.Label must be INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL');
        continue;
      }
      if (Buffer.byteLength(JSON.stringify(f)) > MAX_FINDING_BYTES) {
        fail('InvalidInput', 'Finding exceeds 240 KB');
        continue;
      }
      const key = `${f.ProductArn}|${id}`;
      const existing = this.findings.get(key);
      if (!existing) {
        const created = { ...f } as Asff;
        created.Workflow ??= { Status: 'NEW' };
        created.RecordState ??= 'ACTIVE';
        this.findings.set(key, created);
      } else {
        const updated = { ...existing, ...f } as Asff;
        // Once a finding exists, its workflow fields are the customer's: an import keeps them.
        for (const k of WORKFLOW_FIELDS) {
          if (existing[k] === undefined) delete updated[k];
          else updated[k] = existing[k];
        }
        this.findings.set(key, updated);
      }
    }
    return {
      FailedCount: failed.length,
      SuccessCount: findings.length - failed.length,
      FailedFindings: failed,
    };
  }

  private batchUpdate(input: Record<string, unknown>) {
    const ids = input.FindingIdentifiers;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_BATCH)
      throw new ServiceError(
        400,
        'InvalidInputException',
        `FindingIdentifiers must hold between 1 and ${MAX_BATCH} identifiers`,
      );
    const workflow = input.Workflow as { Status?: string } | undefined;
    if (workflow?.Status !== undefined && !WORKFLOW_STATUSES.includes(workflow.Status))
      throw new ServiceError(400, 'InvalidInputException', `Invalid Workflow.Status ${workflow.Status}`);
    const note = input.Note as { Text?: string; UpdatedBy?: string } | undefined;
    if (note && (!note.Text || !note.UpdatedBy || note.Text.length > 512))
      throw new ServiceError(
        400,
        'InvalidInputException',
        'Note needs Text (at most 512 characters) and UpdatedBy',
      );
    this.stats.updates++;
    const processed: { Id: string; ProductArn: string }[] = [];
    const unprocessed: { FindingIdentifier: unknown; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const ref of ids as { Id: string; ProductArn: string }[]) {
      const existing = this.findings.get(`${ref.ProductArn}|${ref.Id}`);
      if (!existing) {
        unprocessed.push({
          FindingIdentifier: ref,
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'Finding not found',
        });
        continue;
      }
      if (workflow?.Status) existing.Workflow = { Status: workflow.Status };
      if (note) existing.Note = { ...note, UpdatedAt: new Date().toISOString() };
      processed.push(ref);
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  private getFindings(input: Record<string, unknown>) {
    const max = Math.min(Number(input.MaxResults ?? 100), 100);
    const start = Number(input.NextToken ?? 0);
    const filters = (input.Filters ?? {}) as Record<string, { Value: string; Comparison: string }[]>;
    const all = [...this.findings.values()].filter((f) =>
      Object.entries(filters).every(([field, conditions]) =>
        conditions.some((c) => {
          const value =
            field === 'WorkflowStatus'
              ? (f.Workflow as { Status?: string } | undefined)?.Status
              : field === 'GeneratorId'
                ? f.GeneratorId
                : field === 'RecordState'
                  ? f.RecordState
                  : undefined;
          return c.Comparison === 'EQUALS' ? value === c.Value : false;
        }),
      ),
    );
    const page = all.slice(start, start + max);
    return { Findings: page, NextToken: start + max < all.length ? String(start + max) : undefined };
  }
}
