/** Registration of `ecsprimer completion bash|zsh|fish`: a completion script made from the command tree. */
import { Argument, type Command } from 'commander';
import type { Shell } from '../cli/completion.js';

const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];

export function registerCompletion(program: Command, write: (text: string) => void): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish) for the commands and options')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .addHelpText(
      'after',
      '\nInstall it, for example:\n  bash: ecsprimer completion bash > ~/.local/share/bash-completion/completions/ecsprimer\n  zsh:  ecsprimer completion zsh > "${fpath[1]}/_ecsprimer"\n  fish: ecsprimer completion fish > ~/.config/fish/completions/ecsprimer.fish',
    )
    .action(async (shell: Shell, _options: unknown, cmd: Command) => {
      let root = cmd;
      while (root.parent) root = root.parent;
      const { completionScript } = await import('../cli/completion.js');
      write(completionScript(shell, root));
    });
}
