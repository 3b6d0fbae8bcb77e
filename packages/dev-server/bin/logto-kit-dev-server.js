#!/usr/bin/env node
// The `logto-kit-dev-server` command (`npx @logto-kit/dev-server`). The CLI itself is TypeScript,
// compiled to dist/ by `npm run build` (which `npm install` runs through the root `prepare` script).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
