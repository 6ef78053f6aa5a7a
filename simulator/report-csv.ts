// Renders an account's users as the credential report CSV IAM returns, quirks included:
// `N/A`, `no_information` and `not_supported`, the `<root_account>` row, RFC 4180 quoting.
import { REPORT_COLUMNS } from '../transforms/schema.ts';
import type { SimAccount, SimKey, SimUser } from './model.ts';

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
const opt = (ms: number | null, none = 'N/A') => (ms === null ? none : iso(ms));
const bool = (b: boolean) => (b ? 'true' : 'false');
const field = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

function keyFields(key: SimKey | null): string[] {
  if (!key) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
  return [
    bool(key.active),
    iso(key.rotatedAt),
    opt(key.lastUsedAt),
    key.region ?? 'N/A',
    key.service ?? 'N/A',
  ];
}

function userFields(accountId: string, user: SimUser): string[] {
  const pw = user.password;
  return [
    user.name,
    `arn:aws:iam::${accountId}:user${user.path}${user.name}`,
    iso(user.createdAt),
    bool(pw !== null),
    pw ? opt(pw.lastUsedAt, 'no_information') : 'N/A',
    pw ? iso(pw.lastChangedAt) : 'N/A',
    'N/A',
    bool(user.mfa),
    ...keyFields(user.keys[0]),
    ...keyFields(user.keys[1]),
    ...user.certs.flatMap((c) => (c ? [bool(c.active), iso(c.rotatedAt)] : ['false', 'N/A'])),
  ];
}

function rootFields(account: SimAccount): string[] {
  const root = account.root;
  return [
    '<root_account>',
    `arn:aws:iam::${account.id}:root`,
    iso(root.createdAt),
    root.passwordState,
    opt(root.passwordLastUsedAt, 'no_information'),
    'not_supported',
    'not_supported',
    bool(root.mfa),
    ...keyFields(root.keys[0]),
    ...keyFields(root.keys[1]),
    'false',
    'N/A',
    'false',
    'N/A',
  ];
}

export function renderReport(account: SimAccount): string {
  const lines = [REPORT_COLUMNS.join(','), rootFields(account).map(field).join(',')];
  for (const user of account.users) lines.push(userFields(account.id, user).map(field).join(','));
  return `${lines.join('\n')}\n`;
}

/** A broken report, the way a truncated transfer or a bad export looks: the last line cut short. */
export function renderMalformedReport(account: SimAccount): string {
  const text = renderReport(account).trimEnd();
  return `${text.slice(0, text.length - Math.min(40, Math.floor(text.length / 4)))}\n`;
}
