// Query results on a terminal: only free text is abbreviated to fit the width; identifiers,
// names, actions and ARNs are always whole. Without a width (piped) nothing is cut.
import { describe, expect, it } from 'vitest';
import { formatResult } from '../../queries/format.ts';

const message =
  'AccessDenied: User: arn:aws:iam::913429144537:user/credlake-operator is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000148669640:role/CredlakeMemberRole';
const result = {
  columns: ['account_id', 'account_name', 'arn', 'message'],
  rows: [
    {
      account_id: '000148669640',
      account_name: 'workloads-31',
      arn: 'arn:aws:iam::000148669640:user/contractors/alice.chen',
      message,
    },
  ],
};

describe('a table on a terminal', () => {
  it('abbreviates only the free text to fit', () => {
    const table = formatResult(result, 'table', 110);
    expect(table).toContain('000148669640');
    expect(table).toContain('arn:aws:iam::000148669640:user/contractors/alice.chen');
    expect(table).toContain('workloads-31');
    expect(table).not.toContain(message);
    expect(table).toContain('AccessDenied: User:');
    expect(Math.max(...table.split('\n').map((l) => l.length))).toBeLessThanOrEqual(110);
  });

  it('cuts no identifier even when the terminal is narrower than them: the line wraps instead', () => {
    const table = formatResult(result, 'table', 40);
    expect(table).toContain('arn:aws:iam::000148669640:user/contractors/alice.chen');
  });

  it('cuts nothing without a width (piped)', () => {
    expect(formatResult(result, 'table')).toContain(message);
  });
});
