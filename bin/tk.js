#!/usr/bin/env node
// The `tk` command: runs the compiled CLI (npm install builds it into dist/).
import { main } from '../dist/core/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
