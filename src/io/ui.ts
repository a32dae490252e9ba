/**
 * Everything that is not a result goes to stderr through this: progress, warnings, waiter status.
 * On a TTY a waiter shows a one-line spinner that redraws in place; otherwise plain lines, and a
 * status line is only repeated when it changes (so logs of shell scripts stay readable).
 */
import type { Writable } from 'node:stream';
import { paint } from '../output/color.js';

export interface Ui {
  info(line: string): void;
  warn(line: string): void;
  /** A verbose-only line (AWS calls, timings). */
  debug(line: string): void;
  /** Starts a live status line; returns a handle to update and finish it. */
  status(initial: string): StatusLine;
}

export interface StatusLine {
  update(text: string): void;
  /** Prints a line above the status (e.g. a service event). */
  log(line: string): void;
  /** Runs `print` (which writes elsewhere, e.g. log lines on stdout) with the status line cleared, then redraws it. */
  above(print: () => void): void;
  done(final?: string): void;
}

export function createUi(stderr: Writable & { isTTY?: boolean }, opts: { verbose: boolean; color: boolean; quiet?: boolean }): Ui {
  const tty = Boolean(stderr.isTTY);
  const c = paint(opts.color);
  const write = (s: string) => {
    stderr.write(s);
  };
  return {
    info: (line) => write(`${line}\n`),
    warn: (line) => write(`${c.yellow('warning:')} ${line}\n`),
    debug: (line) => {
      if (opts.verbose) write(`${c.dim(line)}\n`);
    },
    status(initial) {
      const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
      let text = initial;
      let last = '';
      let i = 0;
      let timer: NodeJS.Timeout | undefined;
      const draw = () => write(`\r\x1b[2K${c.cyan(frames[i++ % frames.length])} ${text}`);
      if (tty) {
        draw();
        timer = setInterval(draw, 120);
        timer.unref();
      } else {
        write(`${text}\n`);
        last = text;
      }
      return {
        update(next) {
          text = next;
          if (tty) draw();
          else if (next !== last) {
            write(`${next}\n`);
            last = next;
          }
        },
        log(line) {
          if (tty) write(`\r\x1b[2K${line}\n`), draw();
          else write(`${line}\n`);
        },
        above(print) {
          if (tty) write('\r\x1b[2K');
          print();
          if (tty) draw();
        },
        done(final) {
          if (timer) clearInterval(timer);
          if (tty) write(`\r\x1b[2K${final ? `${final}\n` : ''}`);
          else if (final && final !== last) write(`${final}\n`);
        },
      };
    },
  };
}
