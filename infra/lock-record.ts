// S3 Object Lock is chosen when a bucket is created: turning `evidenceLock` between `off` and a
// lock mode on a deployed stack would make CloudFormation create a new lake bucket. The stack
// records the lock it was deployed with in an SSM parameter, and synth reads it back (a context
// lookup, cached in cdk.context.json like any other) and refuses such a change with one line.
import { Annotations, ContextProvider } from 'aws-cdk-lib';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { PROVIDER_ERROR_KEY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { type EvidenceLock, SettingsError } from './settings.ts';

/** The SSM parameter holding the evidence lock the deployed stack's bucket was created with. */
export const EVIDENCE_LOCK_PARAMETER = '/credlake/evidence-lock';
/** What the lookup answers when no stack has been deployed (the parameter does not exist). */
export const NOT_DEPLOYED = 'not-deployed';

/** Records the lock, and refuses a change that would replace the bucket when asked to look it up. */
export function recordEvidenceLock(scope: Construct, lock: EvidenceLock, lookup: boolean): void {
  new StringParameter(scope, 'EvidenceLockRecord', {
    parameterName: EVIDENCE_LOCK_PARAMETER,
    stringValue: lock,
    description: 'credlake: the S3 Object Lock setting the lake bucket was created with (synth reads it)',
  });
  if (!lookup) return;
  const deployed = StringParameter.valueFromLookup(scope, EVIDENCE_LOCK_PARAMETER, NOT_DEPLOYED);
  // A lookup that could not be made (no credentials for the tooling account) fails synth; say how
  // to synthesize offline.
  const { key } = ContextProvider.getKey(scope, {
    provider: 'ssm',
    props: { parameterName: EVIDENCE_LOCK_PARAMETER },
  });
  const cached = scope.node.tryGetContext(key) as Record<string, unknown> | undefined;
  if (cached && typeof cached === 'object' && PROVIDER_ERROR_KEY in cached)
    Annotations.of(scope).addError(
      `credlake: synth reads the deployed stack's evidence lock (${EVIDENCE_LOCK_PARAMETER}) with the tooling account's credentials and could not; pass -c lookupDeployedStack=false to synthesize offline`,
    );
  if (!['off', 'governance', 'compliance'].includes(deployed)) return;
  if ((deployed === 'off') === (lock === 'off')) return;
  throw new SettingsError(
    `setting evidenceLock is invalid: got "${lock}", but the deployed lake bucket was created with "${deployed}"; S3 Object Lock is chosen when a bucket is created, so this change would replace the bucket (see docs/deploy.md, "What a settings change replaces")`,
  );
}
