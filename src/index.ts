/** fastsrv's public API: re-exports only. */
export { serve, type Server, type ServeOptions, type CliOptions } from './library.js';
export type {
  Routes, RouteValue, RouteHandler, RouteRequest, RouteResponse, RouteResult, RouteBody, MethodHandlers, RouteMethod, RequestHeaders, JsonValue,
} from './app/types.js';
export { parseArguments, formatUsage, type Command } from './cli.js';
export { buildConfig, parseSize, type Config, type DotfilePolicy, UsageError } from './setup/config.js';
export { runChecks, formatReport, type CheckReport, type CheckResult } from './check.js';
export { resolveRequestPath, encodePath, hasDotSegment } from './http/path.js';
export { evaluatePreconditions, matchesEtagList, parseHttpDate } from './http/conditional.js';
export { parseRange, formatContentRange, type RangeResult, type ByteRange } from './http/range.js';
export { negotiateEncoding } from './http/encoding.js';
