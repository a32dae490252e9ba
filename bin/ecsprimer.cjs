#!/usr/bin/env node
// The built CLI (npm run build): dist/boot.cjs installs the compile cache (src/cli/compile-cache.ts),
// then dist/ecsprimer.cjs, src/main.ts bundled as CommonJS (which Node starts fastest), runs.
require('../dist/boot.cjs').boot();
require('../dist/ecsprimer.cjs').run();
