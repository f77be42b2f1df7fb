/**
 * Reading a V8 sampling heap profile (the `.heapprofile` JSON of Chrome DevTools and of
 * HeapProfiler.stopSampling): total estimated bytes allocated, and where. Pure.
 */

/** The parts of a CDP SamplingHeapProfile node this module reads. */
export interface HeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  /** Estimated bytes allocated by this frame itself while sampling (V8 scales each sample up by the sampling rate). */
  selfSize: number;
  id?: number;
  children: HeapProfileNode[];
}

export interface HeapProfile {
  head: HeapProfileNode;
  samples?: unknown[];
}

/** One allocation site: the allocating frame, and the nearest of our own frames on its stack. */
export interface AllocationSite {
  /** `functionName file:line` of the frame that allocated (line 1-based). */
  frame: string;
  /** Nearest frame (the allocating one included) whose script is ours; '' when none is. */
  via: string;
  bytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  sampleCount: number;
  /** Heaviest first. */
  sites: AllocationSite[];
}

/** `name file:line` with the file's base name; V8's root and synthetic frames keep their `(name)`. */
export function describeFrame(frame: HeapProfileNode['callFrame']): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  const file = frame.url.slice(frame.url.lastIndexOf('/') + 1);
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

/**
 * Total bytes and bytes per allocation site. `isOwnScript(url)` tells which scripts
 * count as ours for the `via` column (e.g. the ones under dist/src/).
 */
export function summarizeHeapProfile(profile: HeapProfile, isOwnScript: (url: string) => boolean): HeapSummary {
  const sites = new Map<string, AllocationSite>();
  let totalBytes = 0;
  const stack: { node: HeapProfileNode; via: string }[] = [{ node: profile.head, via: '' }];
  while (stack.length > 0) {
    const { node, via: parentVia } = stack.pop()!;
    const frame = describeFrame(node.callFrame);
    const via = isOwnScript(node.callFrame.url) ? frame : parentVia;
    if (node.selfSize > 0) {
      totalBytes += node.selfSize;
      const key = `${frame}\u0000${via}`;
      const site = sites.get(key);
      if (site) site.bytes += node.selfSize;
      else sites.set(key, { frame, via, bytes: node.selfSize });
    }
    for (const child of node.children) stack.push({ node: child, via });
  }
  const sorted = [...sites.values()].sort((a, b) => b.bytes - a.bytes || (a.frame < b.frame ? -1 : 1));
  return { totalBytes, sampleCount: profile.samples?.length ?? 0, sites: sorted };
}
