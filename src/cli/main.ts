import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.js';
import { APIKEY_COMMANDS } from './apikey.js';
import { CliError, type Command, type OptionSpec, type OptionValues } from './command.js';
import { auditVerifyCommand } from './commands/audit-verify.js';
import { backupCommand } from './commands/backup.js';
import { migrateCommand } from './commands/migrate.js';
import { orgListCommand } from './commands/org-list.js';
import { restoreCommand } from './commands/restore.js';
import { userAddCommand } from './commands/user-add.js';
import { userListCommand } from './commands/user-list.js';
import { userDisableCommand, userEnableCommand } from './commands/user-status.js';

const COMMANDS: Command[] = [
  migrateCommand,
  userAddCommand,
  userDisableCommand,
  userEnableCommand,
  userListCommand,
  orgListCommand,
  auditVerifyCommand,
  backupCommand,
  restoreCommand,
  ...APIKEY_COMMANDS,
];

const COMMON_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', placeholder: 'DIR', description: 'Data directory holding bvte.db (default: $DATA_DIR, else ./data)' },
  help: { type: 'boolean', description: 'Show help for the command, e.g. bvte user add --help' },
};

const EXIT_USAGE = 2;

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function err(line = ''): void {
  process.stderr.write(`${line}\n`);
}

function optionLabel(name: string, spec: OptionSpec): string {
  return spec.placeholder ? `--${name} ${spec.placeholder}` : `--${name}`;
}

function synopsis(command: Command): string {
  const args = command.args.map((arg) => `<${arg}>`);
  const options = Object.entries(command.options).map(([name, spec]) => (spec.required ? optionLabel(name, spec) : `[${optionLabel(name, spec)}]`));
  return ['bvte', command.name, ...args, ...options].join(' ');
}

function optionLines(options: Record<string, OptionSpec>, indent: string): string[] {
  const labels = Object.entries(options).map(([name, spec]) => [optionLabel(name, spec), spec.description] as const);
  const width = Math.max(0, ...labels.map(([label]) => label.length));
  return labels.map(([label, description]) => `${indent}${label.padEnd(width)}  ${description}`);
}

function commandHelp(command: Command): string[] {
  return [synopsis(command), `  ${command.summary}`, ...optionLines(command.options, '    ')];
}

function usage(): string[] {
  return [
    'BVTE administration (công cụ quản trị BVTE): run on the server, as the user that owns the data directory.',
    '',
    'Usage: bvte <command> [arguments] [options]',
    '',
    'Commands (lệnh):',
    ...COMMANDS.flatMap((command) => ['', ...commandHelp(command).map((line) => `  ${line}`)]),
    '',
    '  bvte help [command]',
    '    Show this help, or one command’s (trợ giúp)',
    '',
    'Options for every command:',
    ...optionLines(COMMON_OPTIONS, '  '),
  ];
}

/** The command named by the leading positional words: two-word names first, so `user add` wins over a `user`. */
function findCommand(words: string[]): Command | undefined {
  return (
    COMMANDS.find((command) => command.name === words.slice(0, 2).join(' ')) ??
    COMMANDS.find((command) => command.name === words[0])
  );
}

function parserOptions(options: Record<string, OptionSpec>): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, { type: spec.type }]));
}

/** A loose first pass, knowing every option so option values are not taken for command words. */
function leadingWords(argv: string[]): { words: string[]; help: boolean } {
  const allOptions = Object.assign({}, COMMON_OPTIONS, ...COMMANDS.map((command) => command.options)) as Record<string, OptionSpec>;
  const { positionals, values } = parseArgs({ args: argv, options: parserOptions(allOptions), strict: false, allowPositionals: true });
  return { words: positionals, help: values.help === true };
}

function parseCommandLine(command: Command, argv: string[]): { args: string[]; options: OptionValues } {
  let parsed: { positionals: string[]; values: OptionValues };
  try {
    parsed = parseArgs({ args: argv, options: parserOptions({ ...COMMON_OPTIONS, ...command.options }), strict: true, allowPositionals: true });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\nUsage: ${synopsis(command)}`, EXIT_USAGE);
  }
  const args = parsed.positionals.slice(command.name.split(' ').length);
  if (args.length !== command.args.length) {
    throw new CliError(`Expected ${command.args.length} argument(s), got ${args.length}.\nUsage: ${synopsis(command)}`, EXIT_USAGE);
  }
  return { args, options: parsed.values };
}

function dataDirectory(options: OptionValues): string {
  const given = options['data-dir'];
  return typeof given === 'string' && given.trim() ? path.resolve(given) : loadConfig().dataDir;
}

async function dispatch(argv: string[]): Promise<number> {
  const { words, help } = leadingWords(argv);
  if (words[0] === 'help') {
    const command = findCommand(words.slice(1));
    (command ? commandHelp(command) : usage()).forEach((line) => out(line));
    return command || words.length === 1 ? 0 : EXIT_USAGE;
  }
  const command = findCommand(words);
  if (!command) {
    if (help && words.length === 0) {
      usage().forEach((line) => out(line));
      return 0;
    }
    err(words.length === 0 ? 'No command given.' : `Unknown command: ${words.join(' ')}`);
    err();
    usage().forEach((line) => err(line));
    return EXIT_USAGE;
  }
  if (help) {
    commandHelp(command).forEach((line) => out(line));
    return 0;
  }
  const { args, options } = parseCommandLine(command, argv);
  return command.run({ args, options, dataDir: dataDirectory(options), out });
}

/** Runs one command and returns the process exit code: 0 done, 1 failed or refused, 2 bad usage. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    if (error instanceof CliError) {
      err(`bvte: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError) {
      err(error.message);
      return 1;
    }
    err(`bvte: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
