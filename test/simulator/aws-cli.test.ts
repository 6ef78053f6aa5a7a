// The endpoint checked with a client we did not write: the AWS CLI from Debian's awscli
// package (botocore signs and parses on its own). `.ci/run` installs it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulator/simulator.ts';
import { simulatorsForFile } from '../helpers/simulator.ts';

const startSimulator = simulatorsForFile();

const AWS = '/usr/bin/aws';
const run = promisify(execFile);
const hasCli = existsSync(AWS);
if (!hasCli) console.warn(`skipping the AWS CLI check: ${AWS} is not installed (apt-get install awscli)`);

describe.runIf(hasCli)('the AWS CLI against the simulator', () => {
  let sim: Simulator;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = await startSimulator({ accounts: 25, seed: 9, date: '2024-05-01' });
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: sim.callerCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sim.callerCredentials.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
    };
  });
  const aws = async (...args: string[]) =>
    JSON.parse(
      (await run(AWS, ['--endpoint-url', sim.endpoint, '--output', 'json', ...args], { env })).stdout,
    );

  it('lists every account, following the pages itself', async () => {
    const out = await aws('organizations', 'list-accounts');
    expect(out.Accounts.map((a: { Id: string }) => a.Id).sort()).toEqual(
      sim.org.accounts.map((a) => a.id).sort(),
    );
  });

  it('generates and fetches a decoded credential report', async () => {
    expect((await aws('iam', 'generate-credential-report')).State).toBe('STARTED');
    await new Promise((r) => setTimeout(r, 150));
    const out = await aws('iam', 'get-credential-report');
    const csv = Buffer.from(out.Content, 'base64').toString();
    expect(csv.split('\n')[0]).toMatch(/^user,arn,user_creation_time,/);
    expect(csv).toContain(`arn:aws:iam::${sim.org.managementAccountId}:root`);
  });
});
