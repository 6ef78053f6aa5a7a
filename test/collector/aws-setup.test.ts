// The setup a warm Lambda instance shares across invocations, and the partition-aware parts of
// the AWS adapters.
import { describe, expect, it } from 'vitest';
import { sdkAccountAccess } from '../../collector/aws/account-access.ts';
import { organizationsRegion } from '../../collector/aws/clients.ts';
import { onceSucceeded } from '../../collector/once.ts';

describe('onceSucceeded', () => {
  it('reuses a setup that succeeded, and tries again after one that failed', async () => {
    let calls = 0;
    const setup = onceSucceeded(async () => {
      calls++;
      if (calls === 1) throw new Error('Rate exceeded');
      return `access-${calls}`;
    });
    await expect(setup()).rejects.toThrow('Rate exceeded');
    expect(await setup()).toBe('access-2');
    expect(await setup()).toBe('access-2');
    expect(calls).toBe(2);
  });
});

describe('partitions', () => {
  it('reaches Organizations at its one endpoint per partition', () => {
    expect(organizationsRegion('eu-west-1')).toBe('us-east-1');
    expect(organizationsRegion('us-gov-east-1')).toBe('us-gov-west-1');
    expect(organizationsRegion('cn-north-1')).toBe('cn-northwest-1');
  });

  it("assumes member roles in the caller's own partition", async () => {
    const sent: { RoleArn?: string }[] = [];
    const sts = {
      send: async (command: { input: { RoleArn?: string } }) => {
        if (!('RoleArn' in command.input))
          return { Account: '222222222222', Arn: 'arn:aws-us-gov:sts::222222222222:assumed-role/x/y' };
        sent.push(command.input);
        return { Credentials: { AccessKeyId: 'a', SecretAccessKey: 'b', SessionToken: 'c' } };
      },
    };
    const access = await sdkAccountAccess({ region: 'us-gov-west-1' }, sts as never, {
      roleName: 'CredlakeMemberRole',
      sessionName: 'test',
    });
    await access.reportApiFor('333333333333');
    expect(sent[0].RoleArn).toBe('arn:aws-us-gov:iam::333333333333:role/CredlakeMemberRole');
  });
});
