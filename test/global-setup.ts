// Every temporary folder the tests make (lakes, S3 server data, staged copies, CLI runs) goes
// under one folder of this run, removed at the end: nothing the suite writes outlives it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  // The command's bundle, built once here rather than by the first of many CLI runs at once.
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'cli-bundle.mjs')]);
  const root = mkdtempSync(join(tmpdir(), 'credlake-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
