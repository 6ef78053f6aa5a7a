// The chain of custody, checked after the fact: every raw object a run's manifest names must be
// in the lake with the size and SHA-256 the run recorded, and every raw object in the lake must
// be named by some run's manifest. (The curated side is checked by the caller against these.)
import { EVIDENCE_ZONES, outcomesPrefix, runsPrefix } from '../lake/keys.ts';
import { getJson, type ObjectStore } from '../lake/store.ts';
import { type EvidenceRecord, sha256Of } from './evidence.ts';
import { readOutcomes, standingOutcomes } from './journal.ts';
import type { AccountOutcome, RunManifest } from './outcome.ts';

export type ProblemKind = 'missing' | 'altered' | 'unrecorded' | 'curated_mismatch' | 'unreadable_key';

export interface VerifyProblem {
  readonly kind: ProblemKind;
  readonly key: string;
  readonly detail: string;
}

export interface EvidenceCheck {
  readonly dt: string;
  readonly manifests: number;
  readonly checked: number;
  readonly problems: VerifyProblem[];
  /** The outcome that stands for each account: what the curated partitions must be built from. */
  readonly standing: AccountOutcome[];
}

/** The evidence of one day, zone by zone. */
const evidencePrefixes = (dt: string) => EVIDENCE_ZONES.map((zone) => `${zone}dt=${dt}/`);

export async function checkEvidence(store: ObjectStore, dt: string): Promise<EvidenceCheck> {
  const manifestKeys = (await store.list(runsPrefix(dt))).filter(
    (k) => k.endsWith('/manifest.json') && !k.startsWith(outcomesPrefix(dt)),
  );
  const recorded = new Map<string, EvidenceRecord>();
  for (const key of manifestKeys) {
    const manifest = await getJson<RunManifest>(store, key);
    for (const e of manifest?.evidence ?? []) recorded.set(e.key, e);
  }
  const problems: VerifyProblem[] = [];
  for (const e of recorded.values()) {
    const bytes = await store.get(e.key);
    if (!bytes) {
      problems.push({ kind: 'missing', key: e.key, detail: 'named by a run manifest, not in the lake' });
    } else if (bytes.byteLength !== e.size || sha256Of(bytes) !== e.sha256) {
      problems.push({
        kind: 'altered',
        key: e.key,
        detail: `recorded ${e.size} bytes, SHA-256 ${e.sha256}; found ${bytes.byteLength} bytes, SHA-256 ${sha256Of(bytes)}`,
      });
    } else if (e.versionId && store.versionOf) {
      // Same bytes written again still make a new version: the recorded one must be current.
      const current = await store.versionOf(e.key);
      if (current !== e.versionId)
        problems.push({
          kind: 'altered',
          key: e.key,
          detail: `recorded version ${e.versionId}, current version ${current ?? '(none)'}: the object was written again`,
        });
    }
  }
  for (const prefix of evidencePrefixes(dt)) {
    for (const key of await store.list(prefix)) {
      if (!recorded.has(key))
        problems.push({ kind: 'unrecorded', key, detail: 'in the lake, named by no run manifest' });
    }
  }
  const standing = [...standingOutcomes(await readOutcomes(store, dt)).values()];
  return { dt, manifests: manifestKeys.length, checked: recorded.size, problems, standing };
}
