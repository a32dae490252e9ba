/**
 * What a command's action is: a function of its options and the run's Context, returning the
 * Report. `act` (from cli/program.ts) wraps it into a Commander action that builds the Context,
 * runs it and renders the outcome; command files only name the function and its module, which
 * is loaded when the command runs.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import type { Report } from '../plan/types.js';

/** Commander's option bag is untyped; each runX declares the options it reads. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandFn = (options: any, ctx: Context) => Promise<Report>;

/** The names of a module's exports that are command functions. */
export type CommandNames<M> = { [K in keyof M]: M[K] extends CommandFn ? K : never }[keyof M] & string;

/** A Commander action that loads `load()` when the command runs and calls its export `name`. */
export type Act = <M>(load: () => Promise<M>, name: CommandNames<M>) => (options: Record<string, unknown>, cmd: Command) => Promise<void>;

/**
 * A group of commands (`iam`, `task`, ...): its name and description, and the function that
 * defines its subcommands on the group's Command. The program defines the subcommands of the
 * group the command line names (all of them for completion): the rest are not needed to parse it.
 */
export interface CommandGroup {
  name: string;
  description: string;
  define(group: Command, act: Act): void;
}

export function group(name: string, description: string, define: CommandGroup['define']): CommandGroup {
  return { name, description, define };
}
