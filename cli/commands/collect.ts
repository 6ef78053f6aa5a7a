import type { Command } from 'commander';
import { openStore } from '../../lake/open-store.ts';
import { addCollectOptions, type CollectFlags } from '../collect-options.ts';
import { withTarget } from '../collect-session.ts';
import { ReportedFailure } from '../errors.ts';
import { withLakeLock } from '../lake-lock.ts';
import { todayUtc } from '../options.ts';

export function registerCollect(program: Command): void {
  addCollectOptions(
    program
      .command('collect')
      .description(
        'collect the credential report of every account into the lake (raw, curated, run records)',
      ),
  ).action(async (flags: CollectFlags) => {
    const dt = flags.date ?? todayUtc();
    const result = await withLakeLock(await openStore(flags.lake, { region: flags.region }), 'collect', () =>
      withTarget(flags, dt, 25, (session) => session.collect(dt)),
    );
    if (result.outcomes.some((o) => o.status === 'failed') || result.interrupted)
      throw new ReportedFailure('', 1);
  });
}
