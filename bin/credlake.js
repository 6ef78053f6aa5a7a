#!/usr/bin/env node
// The CLI is written in TypeScript and run through tsx's loader, so a fresh clone works
// after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
