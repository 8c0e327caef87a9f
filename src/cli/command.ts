/** One option as the parser needs it, plus what `bvte --help` shows about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Shown after the option name in help, e.g. `ID` in `--org ID`. */
  placeholder?: string;
  /** Only for help's synopsis: the command itself checks the value. */
  required?: boolean;
  description: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface CommandInput {
  /** Positional arguments after the command words, one per entry of Command.args. */
  args: string[];
  options: OptionValues;
  /** Absolute path of the data directory: --data-dir, else DATA_DIR / the configured default. */
  dataDir: string;
  out: (line?: string) => void;
}

export interface Command {
  /** The words that select the command, e.g. 'user add'. */
  name: string;
  /** Names of the positional arguments, shown as <name> in help. */
  args: string[];
  summary: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code; refusals throw CliError instead. */
  run(input: CommandInput): Promise<number> | number;
}

/** A failure the operator can act on: printed without a stack trace, with its own exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(options: OptionValues, name: string): string {
  const value = stringOption(options, name)?.trim();
  if (!value) throw new CliError(`--${name} is required.`, 2);
  return value;
}

export function idOption(options: OptionValues, name: string): number | undefined {
  const value = stringOption(options, name);
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value.trim())) throw new CliError(`--${name} must be an id (a positive whole number), got "${value}".`, 2);
  return Number(value);
}

/** Pads columns by character count, so lines of Vietnamese names still line up. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max([...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - [...cell].length))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
