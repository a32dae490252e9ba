#!/usr/bin/env node
// `ecsprimer --version` alone is answered here, without loading the program: scripts call it often.
// dist/version.txt is written by scripts/build.mjs from the program's own version option.
const argv = process.argv.slice(2);
let answered = false;
if (argv.length === 1 && argv[0] === '--version') {
  // Not `import ... from 'node:fs'`: an ES import of fs loads Node's whole stream machinery.
  const fs = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:fs') : await import('node:fs');
  try {
    const version = fs.readFileSync(new URL('../dist/version.txt', import.meta.url), 'utf8').trim();
    if (version) {
      fs.writeSync(1, `${version}\n`);
      answered = true;
    }
  } catch (e) {
    // No version file (an older build): the program answers. A closed stdout is not an error.
    if (e && e.code === 'EPIPE') answered = true;
  }
}
if (!answered) {
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(argv, { handleSignals: true });
}
