import type { Command } from 'commander';
import type { CommandRunner } from '../cli/program.js';

export function registerService(program: Command, run: CommandRunner): void {
  void program;
  void run;
}
