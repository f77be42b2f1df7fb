/** Registry of targets, in report order. */
import { apache } from './apache.js';
import { caddy } from './caddy.js';
import type { TargetDefinition } from './common.js';
import { h2o } from './h2o.js';
import { lighttpd } from './lighttpd.js';
import { nginx } from './nginx.js';
import { bun, fastsrv, nodeHttp, nodeStatic } from './launchers.js';
import { floor, uwsMinimal } from './reference.js';

export const TARGETS: readonly TargetDefinition[] = [fastsrv, nginx, apache, nodeHttp, nodeStatic, bun, lighttpd, h2o, caddy, uwsMinimal, floor];

/** The definition of a target by name. */
export function findTarget(name: string): TargetDefinition | undefined {
  return TARGETS.find((t) => t.name === name);
}
