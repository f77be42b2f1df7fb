/**
 * Options: definitions, defaults and validation, in one place. The CLI
 * parses argv with these definitions; the primary passes the validated
 * Config to every worker.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

export interface Config {
  /** Absolute path of the served directory. */
  readonly root: string;
  readonly host: string;
  /** 0 = any free port (the primary picks one before forking). */
  readonly port: number;
  readonly workers: number;
  /** Run on the pure-JS uWS fallback instead of refusing to start. */
  readonly allowJsFallback: boolean;
  /** Seconds to wait for in-flight responses at shutdown. */
  readonly drainTimeout: number;
}

/** A user mistake: printed as one line plus the usage, exit code 2. */
export class UsageError extends Error {}

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_DRAIN_TIMEOUT = 5;

/** node:util.parseArgs option definitions, with the help text beside them. */
export const OPTIONS = {
  port: { type: 'string', short: 'p', help: 'port to listen on (default 8080, or $PORT; 0 = any free port)' },
  host: { type: 'string', short: 'H', help: 'address to listen on (default 0.0.0.0)' },
  workers: { type: 'string', short: 'w', help: 'worker processes: a number, or auto = one per CPU (default 1)' },
  'drain-timeout': { type: 'string', help: 'seconds to finish in-flight responses on shutdown (default 5)' },
  'allow-js-fallback': { type: 'boolean', help: 'run even if only the slow JS build of uWebSockets.js loads' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', short: 'v', help: 'show the version' },
} as const;

export type RawOptions = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** Validate raw option strings (and $PORT) into a Config; throws UsageError. */
export function buildConfig(rootArg: string | undefined, raw: RawOptions, env: NodeJS.ProcessEnv): Config {
  return {
    root: validateRoot(rootArg ?? '.'),
    host: validateHost(raw.host ?? DEFAULT_HOST),
    port: parsePort(raw.port ?? env.PORT ?? String(DEFAULT_PORT)),
    workers: parseWorkers(raw.workers ?? '1'),
    allowJsFallback: raw['allow-js-fallback'] ?? false,
    drainTimeout: parseNumber('--drain-timeout', raw['drain-timeout'] ?? String(DEFAULT_DRAIN_TIMEOUT), 0, 3600),
  };
}

export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`invalid port "${text}": expected an integer from 0 to 65535`);
  }
  return Number(text);
}

export function parseWorkers(text: string): number {
  if (text === 'auto') return availableParallelism();
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 1024) {
    throw new UsageError(`invalid --workers "${text}": expected auto or an integer from 1 to 1024`);
  }
  return Number(text);
}

function parseNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`invalid ${flag} "${text}": expected a number from ${min} to ${max}`);
  }
  return value;
}

function validateHost(text: string): string {
  if (text === '' || /[\s/]/.test(text)) throw new UsageError(`invalid --host "${text}"`);
  return text;
}

function validateRoot(text: string): string {
  const root = resolve(text);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new UsageError(`root directory "${text}" does not exist`);
  }
  if (!isDirectory) throw new UsageError(`root "${text}" is not a directory`);
  return root;
}
