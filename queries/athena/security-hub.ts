// What the deployed exports step hands Security Hub, read with Athena (the rows of findings_changes
// come from the digest's query).
import type { AthenaClient } from '@aws-sdk/client-athena';
import { type SecurityHubInput, securityHubInput } from '../security-hub.ts';
import type { PlainValue } from '../values.ts';
import { executeOnAthena, readAthenaResults } from './client.ts';
import type { ExportTarget } from './export.ts';

export function securityHubInputWithAthena(
  athena: AthenaClient,
  target: ExportTarget,
  dt: string,
  changes: readonly Record<string, PlainValue>[],
): Promise<SecurityHubInput> {
  const query = async (sql: string) =>
    (await readAthenaResults(athena, (await executeOnAthena(athena, target, sql)).queryExecutionId)).rows;
  return securityHubInput(query, dt, changes);
}
