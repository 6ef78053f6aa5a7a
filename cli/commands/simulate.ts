import { type Command, Option } from 'commander';
import { Simulator } from '../../simulator/simulator.ts';
import { UsageError } from '../errors.ts';
import { faultSpecOption, parseDateOption, positiveInt, todayUtc } from '../options.ts';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run the simulated AWS organization in the foreground and print how to point a client at it')
    .option('--port <port>', 'TCP port on 127.0.0.1 (default: any free port)', positiveInt('a port', 65535))
    .option('--accounts <n>', 'number of accounts', positiveInt('the account count', 100_000), 25)
    .option('--seed <n>', 'seed of the generated organization', positiveInt('a seed'), 1)
    .option('--date <YYYY-MM-DD>', 'the simulated day', parseDateOption)
    .option('--faults <spec>', 'fault rates, e.g. throttle=0.1,access_denied=0.05, or none', faultSpecOption)
    .option('--centralized-root', 'the organization manages member root credentials centrally')
    .addOption(
      new Option('--latency <model>', 'latency model').choices(['fast', 'realistic']).default('fast'),
    )
    .action(async (opts) => {
      const sim = await Simulator.start({
        accounts: opts.accounts,
        seed: opts.seed,
        date: opts.date ?? todayUtc(),
        faults: opts.faults,
        latency: opts.latency,
        port: opts.port,
        centralizedRootAccess: opts.centralizedRoot,
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE')
          throw new UsageError(
            `--port ${opts.port}: the port is in use; expected a free port, or no --port for any free one`,
          );
        throw error;
      });
      const creds = sim.callerCredentials;
      process.stdout.write(
        [
          `# simulated organization ${sim.org.id}: ${sim.org.accounts.length} accounts, management account ${sim.org.managementAccountId}`,
          `# member role: ${sim.roleName}; stop with Ctrl-C`,
          `export AWS_ENDPOINT_URL=${sim.endpoint}`,
          `export AWS_ACCESS_KEY_ID=${creds.accessKeyId}`,
          `export AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}`,
          'export AWS_REGION=us-east-1',
          `# AWS CLI versions before 2.13 ignore AWS_ENDPOINT_URL: pass --endpoint-url ${sim.endpoint}`,
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sim.close();
    });
}
