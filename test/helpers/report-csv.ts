// Builds credential report CSV text the way IAM writes it, from partial rows.
import { REPORT_COLUMNS, type ReportColumn } from '../../transforms/schema.ts';

export type ReportLine = Partial<Record<ReportColumn, string>> & { user: string };

const DEFAULTS: Partial<Record<ReportColumn, string>> = {
  user_creation_time: '2022-01-01T00:00:00+00:00',
  password_enabled: 'false',
  mfa_active: 'false',
  access_key_1_active: 'false',
  access_key_2_active: 'false',
  cert_1_active: 'false',
  cert_2_active: 'false',
};

function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function reportCsv(accountId: string, lines: ReportLine[]): string {
  const rows = lines.map((line) => {
    const isRoot = line.user === '<root_account>';
    const values: Record<string, string> = {
      ...DEFAULTS,
      arn: isRoot ? `arn:aws:iam::${accountId}:root` : `arn:aws:iam::${accountId}:user/${line.user}`,
      ...(isRoot
        ? {
            password_enabled: 'not_supported',
            password_last_changed: 'not_supported',
            password_next_rotation: 'not_supported',
          }
        : {}),
      ...line,
    };
    return REPORT_COLUMNS.map((c) => field(values[c] ?? 'N/A')).join(',');
  });
  return `${[REPORT_COLUMNS.join(','), ...rows].join('\n')}\n`;
}
