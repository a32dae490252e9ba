/**
 * How a usage error is reported (main.ts): Commander has printed its message on stderr; with
 * `-o json` the same error is also printed as the JSON result.
 */

export function wantsJson(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '-o' || a === '--output') && argv[i + 1] === 'json') return true;
    if (a === '--output=json' || a === '-ojson') return true;
  }
  return false;
}

/** The command words of argv, up to the first option (e.g. "iam policy create"). */
export function commandNameOf(argv: string[]): string {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(a);
    if (words.length === 3) break;
  }
  return words.join(' ');
}

/** The JSON result of a usage error (for `-o json`). */
export function usageErrorJson(argv: string[], message: string): string {
  return JSON.stringify({ ok: false, command: commandNameOf(argv), stack: null, dryRun: false, changes: [], error: { code: 'UsageError', message: message.replace(/^error: /, '') } }, null, 2) + '\n';
}

/** Commander's errors (by their code: minified class names cannot be relied on). */
export function isCommanderError(e: unknown): e is Error & { code: string; exitCode: number } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && code.startsWith('commander.') && typeof (e as { exitCode?: unknown }).exitCode === 'number';
}

/** Help, version and the help shown for a missing subcommand end with exit 0. */
export function isHelpOrVersion(e: { code: string }): boolean {
  return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
}
