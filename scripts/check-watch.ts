// npm run check -- NN --watch: checks the exercises now, and again on every
// save of the lesson's files, of shared/ or of test/checks/.
//
// - What it hears: every kind of save (scripts/saves.ts), code and pages alike
//   (a page's check opens the page), not the lesson's data/ or its logs.
// - A fresh process for each run: Node keeps the modules it has loaded, so the
//   same process would run the old code, and a check that leaves a timer or a
//   socket behind must not spoil the next run. A run still going when you save
//   again is stopped: its verdict would be old news.
// - Quick: a spare process waits with ts-node, Express, Socket.IO, its client,
//   Playwright and the checks' own framework loaded, but nothing of the
//   lessons or shared/; a save hands it the run, and a new spare is made once
//   that run is done. A spare that loaded a file saved since is not used.
// - Chromium stays open here, across runs, once a check has asked for it:
//   a run connects to it (test/checks/check.ts, useBrowserServer) instead of
//   starting its own, and what a run opened in it goes when the run ends.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { BrowserServer } from 'playwright-core';
import type { LessonInfo } from './lessons';
import { watchSaves } from './saves';

const root = path.join(__dirname, '..');

type ToSpare = { type: 'run'; args: string[] } | { type: 'browser'; address?: string; error?: string };
type FromSpare = { type: 'ready'; loaded: string[] } | { type: 'browser' };

// ---------------------------------------------------------------- the spare

/**
 * The spare's side (`check.ts --spare`): loads what every run loads, says it is
 * ready (and which of the workbook's files it has loaded), and waits to be
 * told what to check.
 */
export function checkSpare(run: (args: string[]) => Promise<void>): void {
  for (const name of ['express', 'socket.io', 'socket.io-client', 'playwright-core']) require(name);
  const { useBrowserServer } = require('../test/checks/check') as typeof import('../test/checks/check');
  useBrowserServer(
    () =>
      new Promise((resolve, reject) => {
        const onMessage = (message: ToSpare) => {
          if (message.type !== 'browser') return;
          process.off('message', onMessage);
          if (message.address) resolve(message.address);
          else reject(new Error(message.error));
        };
        process.on('message', onMessage);
        process.send?.({ type: 'browser' } satisfies FromSpare);
      }),
  );
  let started = false;
  process.on('message', (message: ToSpare) => {
    if (message.type !== 'run' || started) return;
    started = true;
    void run(message.args);
  });
  process.on('disconnect', () => process.exit(0)); // the watcher is gone
  const loaded = Object.keys(require.cache).filter((file) => file.startsWith(root + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`));
  process.send?.({ type: 'ready', loaded } satisfies FromSpare);
}

// ---------------------------------------------------------------- the watcher

interface Spare {
  process: ChildProcess;
  /** Resolves with the workbook files it loaded, once it waits for a run; rejects if it ends first. */
  ready: Promise<Set<string>>;
  exited: Promise<void>;
  /** Files saved since this spare was picked for a run (absolute paths). */
  saved: Set<string>;
  /** True once it has been told to run. */
  running: boolean;
}

function spawnSpare(browserAddress: () => Promise<string>): Spare {
  const child = fork(path.join(__dirname, 'check.ts'), ['--spare'], {
    cwd: root,
    execArgv: ['-r', 'ts-node/register'],
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', () => {}); // a message to a spare that has just ended: its end is handled below
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<Set<string>>((resolve, reject) => {
    child.once('exit', (code, signal) => reject(new Error(signal ?? `exit code ${code}`)));
    child.on('message', (message: FromSpare) => {
      if (message.type === 'ready') resolve(new Set(message.loaded));
      if (message.type === 'browser') {
        browserAddress().then(
          (address) => child.connected && child.send({ type: 'browser', address } satisfies ToSpare),
          (err: Error) => child.connected && child.send({ type: 'browser', error: `Chromium did not start: ${err.message}` } satisfies ToSpare),
        );
      }
    });
  });
  ready.catch(() => {});
  return { process: child, ready, exited, saved: new Set(), running: false };
}

const alive = (spare: Spare) => spare.process.exitCode === null && spare.process.signalCode === null;

/** Checks `args` (as npm run check takes them) now and after every save of `lessons`, shared/ or test/checks/. Ends on Ctrl-C. */
export function watchChecks(lessons: LessonInfo[], args: string[]): void {
  const color = process.stdout.isTTY && !process.env.NO_COLOR;
  const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[0m` : text);
  const watched = [...lessons.map((lesson) => lesson.folder), path.join(root, 'shared'), path.join(root, 'test', 'checks')];
  const where = watched.map((dir) => path.relative(root, dir)).join(', ');

  // Chromium, started when a check first asks for it, and kept.
  let chromium: Promise<BrowserServer> | undefined;
  const browserAddress = async () => {
    if (!chromium) {
      const { launchServer } = require('../test/browser/harness') as typeof import('../test/browser/harness');
      const launching = launchServer();
      chromium = launching;
      launching.then((server) => server.process().once('exit', () => chromium === launching && (chromium = undefined))).catch(() => (chromium = undefined));
    }
    return (await chromium).wsEndpoint();
  };

  let spare: Spare | undefined = spawnSpare(browserAddress);
  let current: Spare | undefined; // picked for the latest run: loading, or running
  let quitting = false;

  /** Runs the checks in a spare process; `saved` are the files of the save that calls for it. */
  const run = async (why: string, saved: string[] = []) => {
    if (quitting) return;
    if (current?.running) current.process.kill(); // its verdict would be old news
    if (current?.running || (current && !alive(current))) current = undefined;
    if (color) console.clear();
    console.log(dim(why));
    let child = current ?? spare ?? spawnSpare(browserAddress);
    spare = undefined;
    current = child;
    for (const file of saved) child.saved.add(path.join(root, file));
    for (;;) {
      const loaded = await child.ready.catch(() => undefined);
      if (current !== child) return; // a later save took this run over
      if (!loaded) return void console.log(dim(`\nthe checks did not load: fix what it says above and save again (watching ${where})`));
      if (![...child.saved].some((file) => loaded.has(file))) break;
      // It loaded a file before that file was saved: it would run the old code.
      child.process.kill();
      child = current = spawnSpare(browserAddress);
    }
    child.running = true;
    child.process.send({ type: 'run', args } satisfies ToSpare);
    await child.exited;
    if (current !== child || quitting) return; // stopped for a later save
    current = undefined;
    console.log(dim(`\nwatching ${where}: save a file to check again (Ctrl-C stops)`));
    spare ??= spawnSpare(browserAddress); // loads while you edit
  };

  const saves = watchSaves(root, watched, (files) => {
    void run(`${files[0]} changed${files.length > 1 ? ` (and ${files.length - 1} more)` : ''}`, files);
  });

  const quit = async () => {
    if (quitting) return;
    quitting = true;
    await saves.close();
    for (const child of [spare, current]) child?.process.kill();
    await chromium?.then((server) => server.close()).catch(() => {});
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void quit());
  void saves.ready.then(() => run('checking'));
}
