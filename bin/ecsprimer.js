#!/usr/bin/env node
import { main } from '../dist/main.js';

main(process.argv.slice(2), { handleSignals: true }).then((code) => {
  process.exitCode = code;
});
