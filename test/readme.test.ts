// Keeps the README in step with the code: every command has its section, every table and column
// of the schema is in the data model, every saved query is in the queries table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../cli/program.ts';
import { CATALOG } from '../queries/catalog.ts';
import { TABLES } from '../transforms/schema.ts';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = (heading: string) => {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README section ${heading}`).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
};

describe('README', () => {
  it('shows the two quick-start commands', () => {
    expect(section('Quick start')).toContain('npm ci && npm start');
    expect(section('Quick start')).toContain('npm test');
  });

  it('has a section for every command, and no section for a command that does not exist', () => {
    const commands = createProgram()
      .commands.map((c) => c.name())
      .sort();
    const documented = [...section('Commands').matchAll(/^### `credlake ([a-z]+)`/gm)]
      .map((m) => m[1])
      .sort();
    expect(documented).toEqual(commands);
  });

  it('lists every table with exactly the columns of transforms/schema.ts', () => {
    const model = section('Data model');
    const tables = [...model.matchAll(/^### `([a-z_]+)`/gm)].map((m) => m[1]);
    expect(tables.sort()).toEqual(Object.keys(TABLES).sort());
    for (const table of Object.values(TABLES)) {
      const start = model.indexOf(`### \`${table.name}\``);
      const end = model.indexOf('\n### ', start + 4);
      const columns = [
        ...model.slice(start, end < 0 ? undefined : end).matchAll(/^\| `([a-z0-9_]+)`\s*\|/gm),
      ].map((m) => m[1]);
      const expected = [...table.partitionKeys, ...table.columns].map((c) => c.name);
      expect(columns.sort(), table.name).toEqual([...new Set(expected)].sort());
    }
  });

  it('lists every saved query of the catalog', () => {
    const queries = [...section('Saved queries').matchAll(/^\| `([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(queries.sort()).toEqual(CATALOG.map((q) => q.name).sort());
  });
});

describe('README deploy section', () => {
  it('lists every CDK setting with its default, as infra/settings.ts declares them', async () => {
    const { SETTINGS_DOC } = await import('../infra/settings.ts');
    const start = readme.indexOf('### Settings', readme.indexOf('## Deploy on AWS'));
    const deploy = readme.slice(start, readme.indexOf('\n### ', start + 4));
    const rows = [...deploy.matchAll(/^\| `([a-zA-Z]+)`\s*\|\s*([^|]+?)\s*\|/gm)].map((m) => [
      m[1],
      m[2].trim(),
    ]);
    expect(rows).toEqual(SETTINGS_DOC.map((d) => [d.key, d.default]));
  });
});
