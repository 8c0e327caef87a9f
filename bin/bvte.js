#!/usr/bin/env node
// The CLI is TypeScript like the rest of the app: tsx compiles it on the fly, then main runs one command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
