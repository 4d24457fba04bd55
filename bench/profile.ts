// Reads V8 CPU profiles and says where the time went: for a lesson starting
// (ts-node loading TypeScript, swc, the lesson's imports…), and for a server
// under load (which package or file of ours).
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface StartBreakdown {
  /** Milliseconds of CPU (every sample but idle), start to exit. */
  busyMs: number;
  parts: { what: string; ms: number }[];
}

const pkg = (url: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
/** ts-node wraps every require (its require hook, source-map-support's resolve hook): look through them. */
const WRAPPERS = new Set(['ts-node', '@cspotcode/source-map-support']);
/** The program itself: a lesson's server.ts, or the floor. */
const PROGRAM = /\/(lessons\/[^/]+\/server\.ts|bench\/floor\.js)$/;

/** Where a sample's time goes: its stack, from the root to the leaf. */
function classify(stack: ProfileNode[]): string | undefined {
  const leaf = stack[stack.length - 1].callFrame.functionName;
  if (leaf === '(idle)') return undefined;
  if (leaf === '(garbage collector)') return 'garbage collection';
  if (leaf === '(program)') return 'V8 and Node native code (program)';
  const program = stack.findIndex((node) => PROGRAM.test(node.callFrame.url));
  if (program >= 0) {
    for (const frame of stack.slice(program + 1)) {
      const name = pkg(frame.callFrame.url);
      if (name === '@swc/core') return "ts-node + swc: transpiling the program's .ts files";
      if (name && !WRAPPERS.has(name)) return `the program imports ${name}`;
    }
    return 'the program\'s own code and shared/ (and Node loading its files)';
  }
  const tsNode = (functionName: string) =>
    stack.some((node) => node.callFrame.functionName === functionName && node.callFrame.url.includes('/node_modules/ts-node/'));
  if (tsNode('loadCompiler')) return 'ts-node: loading the TypeScript compiler (typescript.js, 9 MB)';
  if (tsNode('createTranspiler')) return 'ts-node: loading swc (@swc/core, a native addon)';
  if (tsNode('installSourceMapSupport')) return 'ts-node: installing source-map-support';
  if (tsNode('findAndReadConfig')) return 'ts-node: finding and parsing tsconfig.json (with TypeScript)';
  if (stack.some((node) => node.callFrame.url.includes('/node_modules/ts-node/'))) return 'ts-node: its own modules (bin, index, node:repl)';
  return 'Node bootstrap and other';
}

export function analyseStart(file: string): StartBreakdown {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);

  const stackCache = new Map<number, string | undefined>();
  const totals = new Map<string, number>();
  let busyMs = 0;
  profile.samples.forEach((id, i) => {
    if (!stackCache.has(id)) {
      const stack: ProfileNode[] = [];
      for (let node: ProfileNode | undefined = byId.get(id); node; node = parent.get(node.id)) stack.unshift(node);
      stackCache.set(id, classify(stack));
    }
    const what = stackCache.get(id);
    if (what === undefined) return;
    const ms = profile.timeDeltas[i] / 1000;
    busyMs += ms;
    totals.set(what, (totals.get(what) ?? 0) + ms);
  });
  const parts = [...totals].map(([what, ms]) => ({ what, ms })).sort((a, b) => b.ms - a.ms);
  return { busyMs, parts };
}

export interface SelfBreakdown {
  /** Milliseconds of CPU (every sample but idle). */
  busyMs: number;
  /** By package (node_modules), file of ours, or Node core. */
  parts: Map<string, number>;
  /** The functions with the most self time. */
  functions: { what: string; ms: number }[];
}

/**
 * Self time by where the code lives. Native code with no file of its own
 * (say, a write into a socket) counts for the JavaScript that called it.
 */
export function analyseSelf(file: string, root: string): SelfBreakdown {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const parent = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const where = (url: string) => {
    if (url.startsWith('node:')) return 'Node core (net, streams, events…)';
    const name = pkg(url);
    if (name) return name;
    return path.relative(root, url.replace(/^file:\/\//, ''));
  };
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + profile.timeDeltas[i] / 1000));

  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    let node = byId.get(id)!;
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    busyMs += ms;
    let part: string;
    if (name === '(garbage collector)') part = 'garbage collection';
    else if (name === '(program)') part = 'V8 and Node native code (program)';
    else {
      while (!node.callFrame.url && parent.has(node.id)) node = parent.get(node.id)!;
      part = node.callFrame.url ? where(node.callFrame.url) : 'native';
      const fn = `${name || '(anonymous)'} (${part})`;
      functions.set(fn, (functions.get(fn) ?? 0) + ms);
    }
    parts.set(part, (parts.get(part) ?? 0) + ms);
  }
  return {
    busyMs,
    parts,
    functions: [...functions].map(([what, ms]) => ({ what, ms })).sort((a, b) => b.ms - a.ms).slice(0, 12),
  };
}
