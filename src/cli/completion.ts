/**
 * Shell completion scripts made from the Commander tree itself, so they can never disagree with
 * the commands: subcommands, options (with their descriptions where the shell shows them), the
 * choices of options such as --output, and file names for document options (`<src>`).
 *
 * Each script finds the command path in the words typed so far (skipping options and their
 * values), then offers what that command takes.
 */
import type { Command, Option } from 'commander';

export type Shell = 'bash' | 'zsh' | 'fish';

interface Node {
  /** "iam policy create" ("" for the program). */
  path: string;
  commands: Array<{ name: string; description: string }>;
  options: Option[];
}

function visibleOptions(cmd: Command): Option[] {
  return cmd.options.filter((o) => !o.hidden);
}

function nodes(root: Command): Node[] {
  const out: Node[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const subs = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    out.push({
      path: path.join(' '),
      commands: subs.flatMap((c) => [c.name(), ...c.aliases()].map((name) => ({ name, description: c.description() }))),
      options: visibleOptions(cmd),
    });
    for (const c of subs) for (const name of [c.name(), ...c.aliases()]) walk(c, [...path, name]);
  };
  walk(root, []);
  return out;
}

const flagsOf = (o: Option): string[] => [o.long, o.short].filter((f): f is string => Boolean(f));
const takesValue = (o: Option): boolean => o.required || o.optional;
const isFileOption = (o: Option): boolean => /<src>/.test(o.flags);
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Every option that takes a value, anywhere in the tree: its value is never a command word. */
function valueFlags(all: Node[], root: Command): string[] {
  const flags = new Set<string>();
  for (const n of all) for (const o of n.options) if (takesValue(o)) flagsOf(o).forEach((f) => flags.add(f));
  for (const o of visibleOptions(root)) if (takesValue(o)) flagsOf(o).forEach((f) => flags.add(f));
  return [...flags].sort();
}

function bash(root: Command): string {
  const all = nodes(root);
  const global = visibleOptions(root);
  const words = (n: Node) => [...n.commands.map((c) => c.name), ...n.options.flatMap(flagsOf), ...(n.path ? global.flatMap(flagsOf) : []), '--help'].join(' ');
  const choices = new Map<string, string[]>();
  const files = new Set<string>();
  for (const n of [...all]) {
    for (const o of n.options) {
      if (o.argChoices) flagsOf(o).forEach((f) => choices.set(f, o.argChoices!));
      if (isFileOption(o)) flagsOf(o).forEach((f) => files.add(f));
    }
  }
  const lines = [
    '# bash completion for ecsprimer (made by `ecsprimer completion bash`)',
    '_ecsprimer_words() {',
    '  case "$1" in',
    ...all.map((n) => `    ${shQuote(n.path)}) echo ${shQuote(words(n))} ;;`),
    '  esac',
    '}',
    '_ecsprimer() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" path="" next i w',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    case "$w" in',
    `      ${valueFlags(all, root).join('|')}) ((i++)); continue ;;`,
    '      -*) continue ;;',
    '    esac',
    '    next="${path:+$path }$w"',
    '    [[ -n "$(_ecsprimer_words "$next")" ]] && path="$next"',
    '  done',
    '  case "$prev" in',
    ...[...choices].map(([flag, c]) => `    ${flag}) COMPREPLY=($(compgen -W ${shQuote(c.join(' '))} -- "$cur")); return ;;`),
    ...(files.size ? [`    ${[...files].join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`] : []),
    '  esac',
    '  COMPREPLY=($(compgen -W "$(_ecsprimer_words "$path")" -- "$cur"))',
    '}',
    'complete -o default -F _ecsprimer ecsprimer',
    '',
  ];
  return lines.join('\n');
}

function zsh(root: Command): string {
  const all = nodes(root);
  const global = visibleOptions(root);
  const item = (name: string, description: string) => shQuote(`${name.replace(/:/g, '\\:')}:${oneLine(description)}`);
  const items = (n: Node) => [
    ...n.commands.map((c) => item(c.name, c.description)),
    ...[...n.options, ...(n.path ? global : [])].flatMap((o) => flagsOf(o).map((f) => item(f, o.description))),
  ];
  const choices = new Map<string, string[]>();
  for (const n of all) for (const o of n.options) if (o.argChoices) flagsOf(o).forEach((f) => choices.set(f, o.argChoices!));
  const files = [...new Set(all.flatMap((n) => n.options.filter(isFileOption).flatMap(flagsOf)))];
  const lines = [
    '#compdef ecsprimer',
    '# zsh completion for ecsprimer (made by `ecsprimer completion zsh`)',
    '_ecsprimer_items() {',
    '  case "$1" in',
    ...all.map((n) => `    ${shQuote(n.path)}) reply=(${items(n).join(' ')}) ;;`),
    '    *) reply=() ;;',
    '  esac',
    '}',
    '_ecsprimer() {',
    '  local path="" next w i',
    '  local -a reply',
    '  for ((i = 2; i < CURRENT; i++)); do',
    '    w="${words[i]}"',
    '    case "$w" in',
    `      ${valueFlags(all, root).join('|')}) ((i++)); continue ;;`,
    '      -*) continue ;;',
    '    esac',
    '    next="${path:+$path }$w"',
    '    _ecsprimer_items "$next"',
    '    (( ${#reply} )) && path="$next"',
    '  done',
    '  case "${words[CURRENT-1]}" in',
    ...[...choices].map(([flag, c]) => `    ${flag}) _values 'value' ${c.map(shQuote).join(' ')}; return ;;`),
    ...(files.length ? [`    ${files.join('|')}) _files; return ;;`] : []),
    '  esac',
    '  _ecsprimer_items "$path"',
    "  _describe 'ecsprimer' reply",
    '}',
    'compdef _ecsprimer ecsprimer',
    '',
  ];
  return lines.join('\n');
}

function fish(root: Command): string {
  const all = nodes(root);
  const global = visibleOptions(root);
  const lines = [
    '# fish completion for ecsprimer (made by `ecsprimer completion fish`)',
    'function __ecsprimer_path',
    '    set -l words (commandline -opc)',
    '    set -e words[1]',
    '    set -l path ""',
    '    set -l skip 0',
    '    for w in $words',
    '        if test $skip -eq 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        switch $w',
    `            case ${valueFlags(all, root).join(' ')}`,
    '                set skip 1',
    '            case "-*"',
    '            case "*"',
    '                set -l next (string trim -- "$path $w")',
    '                if contains -- $next $__ecsprimer_paths',
    '                    set path $next',
    '                end',
    '        end',
    '    end',
    '    echo $path',
    'end',
    'function __ecsprimer_at',
    '    set -l p (__ecsprimer_path)',
    '    test "$p" = "$argv[1]"',
    'end',
    `set -g __ecsprimer_paths ${all.map((n) => shQuote(n.path)).join(' ')}`,
    'complete -c ecsprimer -f',
  ];
  const opt = (cond: string, o: Option) => {
    const parts = [`complete -c ecsprimer -n ${shQuote(cond)}`];
    if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
    if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
    if (takesValue(o)) parts.push(o.argChoices ? `-x -a ${shQuote(o.argChoices.join(' '))}` : isFileOption(o) ? '-r -F' : '-x');
    parts.push(`-d ${shQuote(oneLine(o.description))}`);
    return parts.join(' ');
  };
  for (const n of all) {
    const cond = `__ecsprimer_at ${shQuote(n.path)}`;
    for (const c of n.commands) lines.push(`complete -c ecsprimer -n ${shQuote(cond)} -a ${c.name} -d ${shQuote(oneLine(c.description))}`);
    for (const o of n.options) lines.push(opt(cond, o));
  }
  for (const o of global) lines.push(opt('true', o));
  lines.push('');
  return lines.join('\n');
}

export function completionScript(shell: Shell, root: Command): string {
  switch (shell) {
    case 'bash':
      return bash(root);
    case 'zsh':
      return zsh(root);
    case 'fish':
      return fish(root);
  }
}
