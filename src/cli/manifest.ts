/**
 * The command tree as data (a "manifest", as oclif calls it), so that `--help`, `--version` and
 * usage errors are answered without loading a single command module.
 *
 * scripts/build.mjs builds the real Commander program once, at build time, describes it with
 * `describeCommand` and embeds the result in dist/main.js. At run time main.ts rebuilds an
 * equivalent tree from it with `commandFromManifest` (commander alone: no validators, no AWS
 * code, no chalk) and parses argv with it. Help, version and usage errors end there; when the
 * parse reaches a command's action, main.ts loads the real program and parses again with it, so
 * custom option parsers, hooks and actions always run from the real code.
 *
 * What cannot be described (a preSubcommand hook, a help formatter function, unknown Commander
 * internals) makes `describeCommand` throw, so the build fails instead of drifting silently;
 * test/unit/startup.test.ts compares the help of every command in both trees.
 */
import { Argument, Command, Option } from 'commander';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

export interface OptionManifest {
  /** Own data fields of the Option (flags, description, mandatory, defaultValue, argChoices, ...). */
  fields: Record<string, Json>;
  /** Whether the option had a custom argParser (not recreated: only the real program parses values). */
  customParser: boolean;
}

export interface ArgumentManifest {
  fields: Record<string, Json>;
  customParser: boolean;
}

export interface CommandManifest {
  /** Own data fields of the Command (_name, _description, _aliases, _showHelpAfterError, ...). */
  fields: Record<string, Json>;
  options: OptionManifest[];
  arguments: ArgumentManifest[];
  /** `--version`: its option is recreated with `.version()` at its place among the options. */
  version?: { version: string; optionIndex: number };
  /** undefined: commander's default (created lazily); null: disabled; else a custom help option. */
  helpOption?: OptionManifest | null;
  helpCommand?: CommandManifest;
  /** Text added with addHelpText, per position. */
  helpText: Array<{ event: string; text: string }>;
  hasAction: boolean;
  commands: CommandManifest[];
}

/** Command fields that are state of a parse, not of the definition. */
const COMMAND_STATE = new Set(['args', 'rawArgs', 'processedArgs', '_scriptPath', '_optionValues', '_optionValueSources', '_savedState', '_eventsCount', '_maxListeners', '_args']);
/** Command fields handled explicitly below. */
const COMMAND_STRUCTURE = new Set(['commands', 'options', 'parent', 'registeredArguments', '_actionHandler', '_exitCallback', '_lifeCycleHooks', '_outputConfiguration', '_helpOption', '_helpCommand', '_events', '_version', '_versionOptionName']);
const HELP_EVENTS = ['beforeAllHelp', 'beforeHelp', 'afterHelp', 'afterAllHelp'];

function isJson(v: unknown): v is Json {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isJson);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(isJson);
  return false;
}

/** The own data fields of `obj` that differ from those of `fresh` (the same kind, as constructed). */
function dataFields(obj: object, fresh: object, where: string, skip: Set<string>): Record<string, Json> {
  const out: Record<string, Json> = {};
  const defaults = fresh as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (skip.has(k) || v === undefined) continue;
    if (!isJson(v)) throw new Error(`command manifest: ${where}: cannot describe ${k} (${typeof v}); teach src/cli/manifest.ts about it`);
    if (k in defaults && JSON.stringify(defaults[k]) === JSON.stringify(v)) continue;
    out[k] = v;
  }
  return out;
}

function describeOption(o: Option, where: string): OptionManifest {
  const fields = dataFields(o, new Option(o.flags, o.description), `${where} option ${o.flags}`, new Set(['parseArg']));
  return { fields: { flags: o.flags, description: o.description, ...fields }, customParser: Boolean(o.parseArg) && !o.argChoices };
}

function argumentTerm(a: { required: boolean; variadic: boolean; _name?: string }): string {
  return `${a.required ? '<' : '['}${a._name}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}`;
}

/** Describes a Commander command and its subcommands. Throws on anything it cannot reproduce. */
export function describeCommand(cmd: Command): CommandManifest {
  const c = cmd as unknown as Record<string, unknown> & Command;
  const where = `command "${cmd.name()}"`;
  const hooks = (c._lifeCycleHooks ?? {}) as Record<string, unknown[]>;
  // preAction/postAction hooks run only with an action, which always runs from the real program.
  if (hooks.preSubcommand?.length) throw new Error(`command manifest: ${where}: preSubcommand hooks are not supported`);
  const events = (c._events ?? {}) as Record<string, unknown>;
  const helpText: CommandManifest['helpText'] = [];
  for (const event of Object.keys(events)) {
    if (event.startsWith('option:') || event.startsWith('optionEnv:')) continue; // recreated by addOption / version
    if (!HELP_EVENTS.includes(event)) throw new Error(`command manifest: ${where}: listeners for "${event}" are not supported`);
    for (const listener of (cmd as unknown as NodeJS.EventEmitter).listeners(event)) {
      let text = '';
      (listener as (ctx: unknown) => void)({ error: false, command: cmd, write: (s: string) => (text += s) });
      helpText.push({ event, text: text.replace(/\n$/, '') });
    }
  }
  const versionName = c._versionOptionName as string | undefined;
  const options = cmd.options.map((o) => describeOption(o, where));
  const versionIndex = c._version !== undefined ? cmd.options.findIndex((o) => o.attributeName() === versionName) : -1;
  const helpOpt = c._helpOption as Option | null | undefined;
  const helpCmd = c._helpCommand as Command | undefined;
  return {
    fields: { _name: cmd.name(), ...dataFields(cmd, new Command(), where, new Set([...COMMAND_STATE, ...COMMAND_STRUCTURE])) },
    options,
    arguments: cmd.registeredArguments.map((a) => {
      const term = argumentTerm(a as unknown as { required: boolean; variadic: boolean; _name: string });
      return {
        fields: { term, description: a.description, ...dataFields(a, new Argument(term, a.description), `${where} argument ${a.name()}`, new Set(['parseArg'])) },
        customParser: Boolean(a.parseArg) && !a.argChoices,
      };
    }),
    ...(versionIndex >= 0 ? { version: { version: String(c._version), optionIndex: versionIndex } } : {}),
    ...(helpOpt === undefined ? {} : { helpOption: helpOpt === null ? null : describeOption(helpOpt, where) }),
    ...(helpCmd === undefined ? {} : { helpCommand: describeCommand(helpCmd) }),
    helpText,
    hasAction: typeof c._actionHandler === 'function',
    commands: cmd.commands.map(describeCommand),
  };
}

function optionFrom(m: OptionManifest): Option {
  const f = m.fields;
  const o = new Option(String(f.flags), String(f.description ?? ''));
  Object.assign(o, f);
  if (Array.isArray(f.argChoices)) o.choices(f.argChoices as string[]);
  return o;
}

export interface ManifestWiring {
  /** Applied to every command: output routing and exitOverride, as the real program does. */
  configure(cmd: Command): void;
  /** Called instead of any action: the real program must take over. */
  onAction(cmd: Command): void;
}

/**
 * Rebuilds a command tree equivalent (for parsing and help) to the one described. Only what a
 * parse can reach is built: a command's subcommands are created, without their own subcommands,
 * and those are added when Commander dispatches to them (a preSubcommand hook). Help of a command
 * lists its subcommands from their names, aliases, descriptions, options and arguments alone.
 */
export function commandFromManifest(m: CommandManifest, wiring: ManifestWiring): Command {
  const cmd = shallowCommand(m, wiring);
  addSubcommands(cmd, m, wiring);
  return cmd;
}

const pending = new WeakMap<Command, CommandManifest>();

/** Adds the subcommands of a command built shallow, once. */
function materialize(cmd: Command, wiring: ManifestWiring): void {
  const m = pending.get(cmd);
  if (!m) return;
  pending.delete(cmd);
  addSubcommands(cmd, m, wiring);
}

function addSubcommands(cmd: Command, m: CommandManifest, wiring: ManifestWiring): void {
  if (m.commands.length === 0) return;
  for (const sub of m.commands) {
    const child = shallowCommand(sub, wiring);
    if (sub.commands.length) {
      pending.set(child, sub);
      // `help <child>` shows the child's help without dispatching to it.
      (child as unknown as NodeJS.EventEmitter).once('beforeHelp', () => materialize(child, wiring));
    }
    cmd.addCommand(child);
  }
  cmd.hook('preSubcommand', (_parent, child) => materialize(child, wiring));
  // addCommand labels the children with this command's default help group, as .command() did
  // when the real tree was built: fields are assigned after, so assign them again.
  for (const child of cmd.commands) {
    const sub = m.commands.find((x) => x.fields._name === child.name());
    if (sub) Object.assign(child, sub.fields);
  }
}

/** A command with its options, arguments, help settings and fields, but no subcommands yet. */
function shallowCommand(m: CommandManifest, wiring: ManifestWiring): Command {
  const cmd = new Command(String(m.fields._name ?? ''));
  m.options.forEach((om, i) => {
    if (m.version && i === m.version.optionIndex) cmd.version(m.version.version, String(om.fields.flags), String(om.fields.description ?? ''));
    else cmd.addOption(optionFrom(om));
  });
  for (const am of m.arguments) {
    const { term, ...f } = am.fields;
    const a = new Argument(String(term), String(f.description ?? ''));
    Object.assign(a, f);
    if (Array.isArray(f.argChoices)) a.choices(f.argChoices as string[]);
    cmd.addArgument(a);
  }
  if (m.helpOption === null) cmd.helpOption(false);
  else if (m.helpOption) cmd.addHelpOption(optionFrom(m.helpOption));
  if (m.helpCommand) cmd.addHelpCommand(commandFromManifest(m.helpCommand, wiring));
  for (const h of m.helpText) cmd.addHelpText(h.event.replace(/Help$/, '') as 'before' | 'after' | 'beforeAll' | 'afterAll', h.text);
  if (m.hasAction) cmd.action(() => wiring.onAction(cmd));
  // Last, so that settings like _defaultOptionGroup do not re-label what was added above.
  Object.assign(cmd, m.fields);
  wiring.configure(cmd);
  return cmd;
}
