// The `credlake` command precompiled: cli/main.ts and everything of ours it imports, bundled by
// esbuild into ES modules in dist/ (packages stay in node_modules), split so that a command
// loads only its own code. Loading it skips tsx's on-the-fly TypeScript compiling, which took
// about half of every start.
//
// The bundle can never run stale code: dist/cli.json records a hash of every source file in it,
// and `freshBundle` hands out the bundle only while the sources still hash the same. Any edit
// (or checkout, or pull) makes the next start rebuild it, which takes about half a second.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const MANIFEST = join(DIST, 'cli.json');
const ENTRY = 'cli/main.ts';
/** What decides the bundle besides its inputs: this file's own rules. */
const SELF = 'scripts/cli-bundle.mjs';

/** One hash over the named files' paths and bytes (read now, or as given); undefined when one is gone. */
function hashOf(files, given = new Map()) {
  const hash = createHash('sha256');
  for (const file of [SELF, ...files]) {
    let bytes = given.get(file);
    try {
      bytes ??= readFileSync(join(ROOT, file));
    } catch {
      return undefined;
    }
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

/** The bundle's file URL when it was built from the sources as they are now; else undefined. */
export function freshBundle() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest.inputs) || hashOf(manifest.inputs) !== manifest.hash) return undefined;
  const file = join(DIST, manifest.bundle);
  try {
    statSync(file);
  } catch {
    return undefined;
  }
  return pathToFileURL(file).href;
}

/**
 * Builds the bundle and returns its file URL; undefined when esbuild is not installed (an
 * install without devDependencies), where the caller runs the TypeScript through tsx instead.
 * Safe to run from several processes at once: each writes its own files and renames them into
 * place, and bundles are named by their hash.
 */
export async function buildBundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  // The hash is taken over the very bytes esbuild compiled, so a file saved during the build
  // makes the next start build again rather than pass for what is in the bundle.
  const compiled = new Map();
  const keepBytes = {
    name: 'keep-bytes',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const bytes = readFileSync(args.path);
        compiled.set(relative(ROOT, args.path).split(sep).join('/'), bytes);
        return { contents: bytes, loader: 'ts' };
      });
    },
  };
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    plugins: [keepBytes],
    entryPoints: [ENTRY],
    // Split: each subcommand's code (and so the packages it imports) is a chunk of its own,
    // loaded when that command runs (cli/program.ts). Every file is named by a hash of its
    // content and sits in dist/ itself, where paths relative to the code resolve as from a
    // source folder.
    outdir: DIST,
    splitting: true,
    entryNames: 'credlake-[hash]',
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Names stay as written: error classes are told apart by name in places.
    keepNames: true,
    sourcemap: 'external',
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const hash = hashOf(inputs, compiled);
  const name = (file) => relative(DIST, file.path);
  const entry = name(result.outputFiles.find((f) => /^credlake-[^/]*\.mjs$/.test(name(f))));
  mkdirSync(DIST, { recursive: true });
  // Written under a name of this process, then renamed: a reader never sees half a file. The
  // entry comes after its chunks and cli.json last, so nothing names a file not yet there.
  const put = (file, text) => {
    const temp = join(DIST, `.${file}.${process.pid}`);
    writeFileSync(temp, text);
    renameSync(temp, join(DIST, file));
  };
  const files = result.outputFiles.sort((x, y) => Number(name(x) === entry) - Number(name(y) === entry));
  for (const file of files)
    put(
      name(file),
      name(file).endsWith('.mjs') ? `${file.text}//# sourceMappingURL=${name(file)}.map\n` : file.text,
    );
  put('cli.json', `${JSON.stringify({ hash, bundle: entry, inputs }, null, 2)}\n`);
  // Files of bundles long gone: anything older than a day that this bundle does not use.
  const current = new Set(files.map(name));
  for (const file of readdirSync(DIST)) {
    if (!/^(credlake|chunk)-/.test(file) || current.has(file)) continue;
    const path = join(DIST, file);
    if (Date.now() - statSync(path).mtimeMs > 86_400_000) rmSync(path, { recursive: true, force: true });
  }
  return pathToFileURL(join(DIST, entry)).href;
}

// `node scripts/cli-bundle.mjs` builds it ahead of time (the tests do, before they start).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = freshBundle() ?? (await buildBundle());
  if (!url) throw new Error('esbuild is not installed: run npm ci');
  process.stdout.write(`${fileURLToPath(url)}\n`);
}
