// `credlake waivers`: check a waivers file, and install it as the lake's (every later rollup
// applies it and keeps the bytes it applied as evidence).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { WAIVERS_FILE_KEY } from '../../lake/keys.ts';
import { openStore } from '../../lake/open-store.ts';
import { getText, type ObjectStore } from '../../lake/store.ts';
import { parseWaivers, type Waiver } from '../../queries/waivers.ts';
import { UsageError } from '../errors.ts';
import { DEFAULT_LAKE, LAKE_FLAG, todayUtc } from '../options.ts';

export function registerWaivers(program: Command): void {
  const waivers = program
    .command('waivers')
    .description('accepted findings: check a waivers file, or make it the one the lake applies');
  waivers
    .command('check')
    .description(
      "check a waivers file (or, without one, the lake's): every problem with its line; exit 2 if any",
    )
    .argument('[file]', 'waivers YAML file')
    .option(LAKE_FLAG[0], 'without a file: check the file this lake applies', DEFAULT_LAKE)
    .action(async (file: string | undefined, opts: { lake: string }) => {
      const { text, source } = file
        ? { text: await readWaiversFile(file), source: file }
        : await lakeWaivers(await openStore(opts.lake));
      process.stdout.write(describe(parseWaivers(text, source), source));
    });
  waivers
    .command('put')
    .description(
      `check a waivers file and make it the lake's (${WAIVERS_FILE_KEY}), applied from the next rollup on`,
    )
    .argument('<file>', 'waivers YAML file')
    .option(...LAKE_FLAG)
    .action(async (file: string, opts: { lake: string }) => {
      const store = await openStore(opts.lake);
      const parsed = await installWaivers(store, file);
      process.stdout.write(describe(parsed, `${store.location}/${WAIVERS_FILE_KEY}`));
    });
}

/** Reads and checks a waivers file given on the command line, then installs it in the lake. */
export async function installWaivers(store: ObjectStore, file: string): Promise<Waiver[]> {
  const text = await readWaiversFile(file);
  const parsed = parseWaivers(text, file);
  await store.put(WAIVERS_FILE_KEY, text, { contentType: 'application/yaml' });
  return parsed;
}

async function readWaiversFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the waivers file ${file}: ${code === 'ENOENT' ? 'no such file' : String(error)}`,
    );
  }
}

async function lakeWaivers(store: ObjectStore): Promise<{ text: string; source: string }> {
  const source = `${store.location}/${WAIVERS_FILE_KEY}`;
  const text = await getText(store, WAIVERS_FILE_KEY);
  if (text === undefined)
    throw new UsageError(
      `${source} does not exist: give a file, or install one with credlake waivers put FILE`,
    );
  return { text, source };
}

function describe(waivers: readonly Waiver[], source: string): string {
  const today = todayUtc();
  const lapsed = waivers.filter((w) => w.expires < today);
  const lines = [
    `${source}: ok, ${waivers.length} waiver${waivers.length === 1 ? '' : 's'}${lapsed.length ? ` (${lapsed.length} expired before ${today}: ${lapsed.map((w) => w.id).join(', ')})` : ''}`,
  ];
  for (const w of waivers) lines.push(`  ${w.id.padEnd(28)} ${w.check.padEnd(34)} expires ${w.expires}`);
  return `${lines.join('\n')}\n`;
}
