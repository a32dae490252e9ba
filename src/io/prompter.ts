/**
 * Questions to the user go through this interface so tests can inject answers and so that
 * @inquirer/prompts (and its dependencies) is only loaded when a question is really asked.
 */
import { InterruptedError } from '../errors.js';

export interface Prompter {
  /** Asks a yes/no question on stderr; resolves false for "no". Ctrl-C rejects with InterruptedError. */
  confirm(message: string, defaultAnswer?: boolean): Promise<boolean>;
  /** Asks for a secret on stderr, echoing a mask only. Ctrl-C rejects with InterruptedError. */
  password?(message: string): Promise<string>;
}

export function inquirerPrompter(output: NodeJS.WritableStream): Prompter {
  return {
    async confirm(message, defaultAnswer = false) {
      const { confirm } = await import('@inquirer/prompts');
      try {
        return await confirm({ message, default: defaultAnswer }, { output: output as NodeJS.WritableStream & { isTTY?: boolean } as never });
      } catch (e) {
        if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) {
          throw new InterruptedError('Interrupted at the confirmation; nothing was changed.');
        }
        throw e;
      }
    },
    async password(message) {
      const { password } = await import('@inquirer/prompts');
      try {
        return await password({ message, mask: '*' }, { output: output as NodeJS.WritableStream & { isTTY?: boolean } as never });
      } catch (e) {
        if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) {
          throw new InterruptedError('Interrupted at the question; nothing was changed.');
        }
        throw e;
      }
    },
  };
}

/** A prompter with scripted answers, for tests. */
export function fakePrompter(answers: boolean[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async confirm(message) {
      asked.push(message);
      const a = answers.shift();
      if (a === undefined) throw new Error(`unexpected prompt: ${message}`);
      return a;
    },
  };
}
