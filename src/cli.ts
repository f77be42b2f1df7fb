#!/usr/bin/env node
/**
 * Command line: `fastsrv [root] [options]`, `fastsrv check URL` and
 * `fastsrv compress DIR`.
 * parseArguments is pure and exported for tests; main runs only when this
 * file is the entry point.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfigFile } from './setup/config-file.js';
import { buildConfig, OPTIONS, UsageError, validateRoot, type Config, type OptionDefinition, type RawOptions } from './setup/config.js';
import { formatVersion } from './setup/version.js';

export type Command =
  | { readonly kind: 'serve'; readonly config: Config }
  | { readonly kind: 'check'; readonly url: string; readonly root: string | undefined }
  /** `dir` as given (for messages), `root` its absolute path. */
  | { readonly kind: 'compress'; readonly dir: string; readonly root: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'version' };

/** Parse argv (without node and script) into a command; throws UsageError. */
export function parseArguments(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Command {
  if (argv[0] === 'check') return parseCheckArguments(argv.slice(1));
  if (argv[0] === 'compress') return parseCompressArguments(argv.slice(1));
  const { values, positionals } = parseStrict(argv, PARSE_ARGS_OPTIONS);
  const flags = values as RawOptions;
  if (flags.help) return { kind: 'help' };
  if (flags.version) return { kind: 'version' };
  if (positionals.length > 1) {
    throw new UsageError(`expected one root directory, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  if (flags.config === undefined) return { kind: 'serve', config: buildConfig(positionals[0], flags, env) };
  // A flag replaces the file's value (for repeatable options, the whole list).
  const file = loadConfigFile(flags.config);
  return { kind: 'serve', config: buildConfig(positionals[0] ?? file.root, { ...file.raw, ...flags }, env) };
}

/** What node:util.parseArgs needs of each definition. */
const PARSE_ARGS_OPTIONS = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, def]: [string, OptionDefinition]) => [
    name,
    { type: def.type, ...(def.short === undefined ? {} : { short: def.short }), ...(def.multiple ? { multiple: true } : {}) },
  ]),
) as Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

const CHECK_OPTIONS = {
  root: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCheckArguments(argv: readonly string[]): Command {
  const { values, positionals } = parseStrict(argv, CHECK_OPTIONS);
  if (values.help) return { kind: 'help' };
  if (positionals.length !== 1) throw new UsageError('check needs exactly one URL, e.g. fastsrv check http://127.0.0.1:8080/');
  const url = positionals[0];
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`check needs an http:// or https:// URL, got "${url}"`);
  return { kind: 'check', url, root: values.root as string | undefined };
}

const COMPRESS_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
} as const;

function parseCompressArguments(argv: readonly string[]): Command {
  const { values, positionals } = parseStrict(argv, COMPRESS_OPTIONS);
  if (values.help) return { kind: 'help' };
  if (positionals.length !== 1) throw new UsageError('compress needs exactly one directory, e.g. fastsrv compress dist/');
  return { kind: 'compress', dir: positionals[0], root: validateRoot(positionals[0]) };
}

type OptionDefs = Parameters<typeof parseArgs>[0] extends infer C ? (C extends { options?: infer O } ? O : never) : never;

function parseStrict<T extends OptionDefs>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split(/\.(?:\s|$)/)[0]);
  }
}

/** The usage text, generated from the option definitions. */
export function formatUsage(): string {
  const lines = [
    'Usage: fastsrv [root] [options]      serve the directory root (default .)',
    '       fastsrv check URL [--root DIR] probe a static server for HTTP correctness',
    '       fastsrv compress DIR           write best-quality .br/.gz siblings (build step)',
    '',
    'Options:',
  ];
  for (const [name, def] of Object.entries(OPTIONS) as [string, OptionDefinition][]) {
    const flag = formatFlag(name, def);
    lines.push(`  ${(def.short === undefined ? '    ' + flag : flag).padEnd(34)} ${def.help}`);
  }
  return lines.join('\n');
}

/** `-p, --port N`, `--spa`: how the help text and the README name an option. */
export function formatFlag(name: string, def: OptionDefinition): string {
  return (def.short === undefined ? '' : `-${def.short}, `) + `--${name}` + (def.arg === undefined ? '' : ` ${def.arg}`);
}

async function main(): Promise<void> {
  let command: Command;
  try {
    command = parseArguments(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fastsrv: ${error.message}\n\n${formatUsage()}\n`);
    process.exit(2);
  }
  switch (command.kind) {
    case 'help':
      process.stdout.write(formatUsage() + '\n');
      return;
    case 'version': {
      process.stdout.write(formatVersion() + '\n');
      return;
    }
    case 'check': {
      const { runCheckCommand } = await import('./check.js');
      process.exitCode = await runCheckCommand(command.url, command.root);
      return;
    }
    case 'compress': {
      const { runCompressCommand } = await import('./compress/command.js');
      process.exitCode = await runCompressCommand(command.root, command.dir);
      return;
    }
    case 'serve': {
      await checkRules(command.config.root);
      const { runPrimary } = await import('./process/primary.js');
      await runPrimary(command.config);
    }
  }
}

/** A malformed `_headers` or `_redirects` stops the start: file, line and reason, exit 2. */
async function checkRules(root: string | null): Promise<void> {
  if (root === null) return;
  const { checkSiteRules } = await import('./cache/site-rules.js');
  const { RuleError } = await import('./rules/syntax.js');
  try {
    checkSiteRules(root);
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    process.stderr.write(`fastsrv: ${error.message}\n`);
    process.exit(2);
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main().catch((error: unknown) => {
    process.stderr.write(`fastsrv: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
