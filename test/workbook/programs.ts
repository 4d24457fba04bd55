// Runs the workbook's scripts as a learner does, and reads what they print.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const root = path.join(__dirname, '..', '..');

/** Stretches the waits on a busy machine, as CHECK_TIME_FACTOR does for the checks. */
const factor = Number(process.env.CHECK_TIME_FACTOR) || 1;

export interface Program {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr, as it came. */
  output(): string;
  /** Resolves with the first match of `pattern` printed after `from` (an index into output()); fails naming what it waited for. */
  waitFor(pattern: RegExp, ms?: number, from?: number): Promise<RegExpMatchArray & { end: number }>;
  exited: Promise<number | null>;
  /** SIGTERM (Ctrl-C's twin), and waits for the end; SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** `node -r ts-node/register SCRIPT ARGS` in `cwd`, with PORT=0 and NO_COLOR unless `env` says otherwise. */
export function runScript(script: string, args: string[], { cwd = root, env = {} as NodeJS.ProcessEnv } = {}): Program {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', script, ...args], {
    cwd,
    env: { ...process.env, PORT: '0', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const wake = new Set<() => void>();
  const add = (chunk: Buffer) => {
    text += chunk.toString();
    for (const fn of wake) fn();
  };
  child.stdout!.on('data', add);
  child.stderr!.on('data', add);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('exit', () => {
    for (const fn of wake) fn();
  });
  const program: Program = {
    child,
    output: () => text,
    waitFor(pattern, ms = 10_000, from = 0) {
      const limit = ms * factor;
      return new Promise((resolve, reject) => {
        const look = () => {
          const match = pattern.exec(text.slice(from));
          if (match) return done(() => resolve(Object.assign(match, { end: from + match.index! + match[0].length })));
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`it ended before printing ${pattern}; it printed:\n${text}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${limit} ms; it printed:\n${text}`))), limit);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          wake.delete(look);
          settle();
        };
        wake.add(look);
        look();
      });
    },
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  return program;
}
