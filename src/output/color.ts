/**
 * Colour for the human renderer and the ui only; off with --no-color, NO_COLOR, a non-TTY
 * stream, or --output json (decided once in main.ts and passed in as `enabled`).
 */
import { Chalk } from 'chalk';

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function paint(enabled: boolean): Paint {
  const c = new Chalk({ level: enabled ? 1 : 0 });
  return { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan };
}
