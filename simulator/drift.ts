// One day of change in an account: people sign in, keys are used and rotated, MFA is turned on,
// users come and go. Seeded per (seed, account, day), so every run replays the same history.
import { startOfDay } from '../transforms/dates.ts';
import type { SimAccount, SimKey } from './model.ts';
import { chance, createRng, hashSeed, int, pick } from './random.ts';

const HOUR = 3_600_000;

/** Applies the changes of `date` (the day before its reports are generated) to an account. */
export function driftAccount(account: SimAccount, seed: number, date: string): void {
  if (account.state !== 'ACTIVE') return;
  const rng = createRng(hashSeed('drift', seed, account.id, date));
  // Activity happens during the previous day, before the morning's report.
  const at = () => startOfDay(date) - int(rng, 1, 18) * HOUR - int(rng, 0, 3599) * 1000;
  const touch = (key: SimKey | null) => {
    if (key?.active && chance(rng, 0.15)) {
      key.lastUsedAt = at();
      key.region = pick(rng, ['us-east-1', 'eu-west-1']);
      key.service = pick(rng, ['s3', 'sts', 'ec2']);
    }
  };
  for (const user of account.users) {
    if (user.password && chance(rng, 0.12)) user.password.lastUsedAt = at();
    if (user.password && !user.mfa && chance(rng, 0.03)) user.mfa = true;
    touch(user.keys[0]);
    touch(user.keys[1]);
    if (user.keys[0]?.active && chance(rng, 0.01)) {
      user.keys[0] = { active: true, rotatedAt: at(), lastUsedAt: null, region: null, service: null };
    }
    if (user.keys[1]?.active && chance(rng, 0.01)) user.keys[1].active = false;
  }
  const churn = Math.max(1, Math.round(account.users.length / 100));
  if (account.users.length > 0 && chance(rng, 0.08)) {
    for (let i = 0; i < churn; i++) account.users.splice(int(rng, 0, account.users.length - 1), 1);
  }
  if (chance(rng, 0.1)) {
    for (let i = 0; i < churn; i++) {
      const createdAt = at();
      let name = `new.hire${int(rng, 1, 99999)}`;
      while (account.users.some((u) => u.name === name)) name = `${name}x`;
      account.users.push({
        name,
        path: '/',
        createdAt,
        password: chance(rng, 0.6) ? { lastChangedAt: createdAt, lastUsedAt: null } : null,
        mfa: false,
        keys: [
          chance(rng, 0.5)
            ? { active: true, rotatedAt: createdAt, lastUsedAt: null, region: null, service: null }
            : null,
          null,
        ],
        certs: [null, null],
        groups: chance(rng, 0.3) ? ['Developers'] : [],
        managed: [],
        inline: [],
        boundary: null,
      });
    }
  }
  if (chance(rng, 0.05)) account.root.passwordLastUsedAt = at();
}
