import { describe, expect, it } from 'vitest';
import { PolicyDocumentError } from '../../transforms/errors.ts';
import {
  type AuthorizationDetails,
  allowsEverything,
  postureRow,
  privilegeRows,
} from '../../transforms/posture.ts';

const ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

describe('administrator detection', () => {
  it('recognizes a statement allowing * on *, in a list or alone, and nothing narrower', () => {
    expect(allowsEverything(ALL)).toBe(true);
    expect(
      allowsEverything(
        JSON.stringify({ Statement: { Effect: 'Allow', Action: ['s3:*', '*'], Resource: ['*'] } }),
      ),
    ).toBe(true);
    expect(
      allowsEverything(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })),
    ).toBe(false);
    expect(
      allowsEverything(JSON.stringify({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] })),
    ).toBe(false);
    // A document that cannot be read is not "not admin": it is an error naming the policy.
    expect(() => allowsEverything('not json', 'Broken')).toThrow(
      /policy Broken is not a JSON policy document/,
    );
  });

  it('names the unreadable inline policy and its user, so the account posture says why it failed', () => {
    const details: AuthorizationDetails = {
      users: [
        {
          userName: 'dee',
          arn: 'arn:aws:iam::111111111111:user/dee',
          groups: [],
          managed: [],
          inline: [{ name: 'Mangled', document: '{"Statement": [' }],
          boundaryArn: null,
        },
      ],
      groups: [],
      managedDocuments: {},
    };
    expect(() => privilegeRows(details, 'prod', 'r1')).toThrow(PolicyDocumentError);
    expect(() => privilegeRows(details, 'prod', 'r1')).toThrow('Mangled (inline, user dee)');
  });

  it('lists every attachment with its source, marks admin grants, and never counts a boundary', () => {
    const details: AuthorizationDetails = {
      users: [
        {
          userName: 'ana',
          arn: 'arn:aws:iam::111111111111:user/ana',
          groups: ['Admins'],
          managed: [],
          inline: [],
          boundaryArn: 'arn:aws:iam::111111111111:policy/Boundary',
        },
        {
          userName: 'bo',
          arn: 'arn:aws:iam::111111111111:user/bo',
          groups: ['Readers'],
          managed: [{ name: 'Custom', arn: 'arn:aws:iam::111111111111:policy/Custom' }],
          inline: [{ name: 'AllowAll', document: ALL }],
          boundaryArn: null,
        },
        {
          userName: 'cy',
          arn: 'arn:aws:iam::111111111111:user/cy',
          groups: ['Readers'],
          managed: [],
          inline: [],
          boundaryArn: null,
        },
      ],
      groups: [
        {
          name: 'Admins',
          managed: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
          inline: [],
        },
        {
          name: 'Readers',
          managed: [{ name: 'ReadOnlyAccess', arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
          inline: [],
        },
      ],
      managedDocuments: { 'arn:aws:iam::111111111111:policy/Custom': ALL },
    };
    const rows = privilegeRows(details, 'prod', 'r1').map((r) => [
      r.user_name,
      r.policy_name,
      r.policy_kind,
      r.source,
      r.group_name,
      r.grants_admin,
      r.user_is_admin,
    ]);
    expect(rows).toEqual([
      ['ana', 'AdministratorAccess', 'managed', 'group', 'Admins', true, true],
      ['ana', 'Boundary', 'boundary', 'user', null, false, true],
      ['bo', 'Custom', 'managed', 'user', null, true, true],
      ['bo', 'AllowAll', 'inline', 'user', null, true, true],
      ['bo', 'ReadOnlyAccess', 'managed', 'group', 'Readers', false, true],
      ['cy', 'ReadOnlyAccess', 'managed', 'group', 'Readers', false, false],
    ]);
  });

  it('derives the root MFA type and leaves password policy fields NULL without a policy', () => {
    const row = postureRow('111111111111', 'prod', 'r1', {
      summary: { mfaEnabled: true, accessKeysPresent: false, passwordPresent: true },
      passwordPolicy: null,
      rootVirtualMfa: true,
      centralizedRootAccess: null,
    });
    expect(row).toMatchObject({
      root_mfa_type: 'virtual',
      password_policy_present: false,
      minimum_password_length: null,
      centralized_root_access: null,
    });
  });
});
