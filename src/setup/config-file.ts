/**
 * `--config FILE`: options from a JSON object whose keys are the long
 * option names. Values are typed JSON (numbers, booleans, arrays for
 * repeatable options), checked against the option's definition, then turned
 * into the text the command line would carry and validated by the same
 * validators (config.ts). Command-line flags override the file.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OPTIONS, parseOptionValues, UsageError, type JsonKind, type OptionDefinition, type OptionName, type RawOptions } from './config.js';

/** What a config file contributes: option values, and a root relative to the file. */
export interface FileOptions {
  readonly raw: RawOptions;
  /** Absolute; the `root` key, resolved against the file's directory. */
  readonly root: string | undefined;
}

/** Read and check a config file; every mistake is a UsageError naming the file and key. */
export function loadConfigFile(path: string): FileOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let object: unknown;
  try {
    object = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return readOptionObject(object, `config file ${path}`, dirname(resolve(path)));
}

/**
 * Check a parsed JSON object of options (`where` names it in errors) and
 * convert it to command-line values. `root` and file names (`cert`, `key`,
 * `sni`…) are resolved against `baseDir`. `toName` maps a key to the
 * option's long name (the library's camelCase keys); errors quote the key.
 */
export function readOptionObject(
  object: unknown,
  where: string,
  baseDir: string,
  toName: (key: string) => string = (key) => key,
): FileOptions {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new UsageError(`${where}: expected a JSON object of options, e.g. {"port": 8080}`);
  }
  const raw: Record<string, string | boolean | string[]> = {};
  const keyOf = new Map<string, string>();
  let root: string | undefined;
  for (const [key, value] of Object.entries(object)) {
    if (key === 'root') {
      if (typeof value !== 'string' || value === '') throw new UsageError(`${where}: "root" must be a string (a directory)`);
      root = resolve(baseDir, value);
      continue;
    }
    const name = toName(key);
    const def = Object.hasOwn(OPTIONS, name) ? (OPTIONS[name as OptionName] as OptionDefinition) : undefined;
    if (def === undefined) throw new UsageError(`${where}: unknown key "${key}"`);
    if (def.json === undefined) throw new UsageError(`${where}: "${key}" can only be given on the command line`);
    const converted = convertValue(value, def, `${where}: "${key}"`);
    const fix = def.resolvePaths;
    keyOf.set(name, key);
    raw[name] = fix === undefined || typeof converted === 'boolean' ? converted
      : Array.isArray(converted) ? converted.map((text) => fix(text, baseDir))
      : fix(converted, baseDir);
  }
  // Validate now, so a bad value names the file and key rather than a flag.
  parseOptionValues(raw as RawOptions, (name) => `${where}: "${keyOf.get(name) ?? name}"`);
  return { raw: raw as RawOptions, root };
}

function convertValue(value: unknown, def: OptionDefinition, label: string): string | boolean | string[] {
  const kinds = def.json!;
  if (def.multiple) {
    if (!Array.isArray(value)) throw new UsageError(`${label} must be an array of ${describeKinds(kinds)}s`);
    return value.map((item, i) => String(checkKind(item, kinds, `${label}[${i}]`)));
  }
  const checked = checkKind(value, kinds, label);
  return typeof checked === 'boolean' ? checked : String(checked);
}

function checkKind(value: unknown, kinds: readonly JsonKind[], label: string): string | number | boolean {
  const kind = typeof value;
  if ((kind === 'string' || kind === 'number' || kind === 'boolean') && kinds.includes(kind)) {
    return value as string | number | boolean;
  }
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${kind}`;
  throw new UsageError(`${label} must be a ${describeKinds(kinds)}, got ${got}`);
}

function describeKinds(kinds: readonly JsonKind[]): string {
  return kinds.join(' or ');
}
