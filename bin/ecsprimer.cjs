#!/usr/bin/env node
// The built CLI (npm run build): src/main.ts bundled as CommonJS, which Node starts fastest.
require('../dist/ecsprimer.cjs').run();
