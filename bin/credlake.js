#!/usr/bin/env node
// The CLI is written in TypeScript and run through tsx's loader, so a fresh clone works
// after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start under Node 20 about its own future support window; credlake
// supports Node 20, so that warning is noise for its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
