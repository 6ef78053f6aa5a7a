#!/usr/bin/env node
// The CLI is written in TypeScript. It runs from a bundle precompiled into dist/ (built on the
// first start and again whenever a source file changes: scripts/cli-bundle.mjs), so a fresh
// clone works after `npm ci` with no build step. Without esbuild (an install that left out the
// devDependencies) it runs the TypeScript through tsx's loader instead, a second slower.

// The AWS SDK warns on every start under Node 20 about its own future support window; credlake
// supports Node 20, so that warning is noise for its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { buildBundle, freshBundle } = await import('../scripts/cli-bundle.mjs');
const bundle = process.env.CREDLAKE_NO_BUNDLE ? undefined : (freshBundle() ?? (await buildBundle()));
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
