// npm start -- NN --watch: runs the lesson in a child process, and a fresh
// one each time a server-side file of the lesson, or of shared/, is saved.
//
// - What restarts it: code (.ts, .js, .json) in lessons/NN-slug/ and shared/,
//   outside any public/ folder (scripts/saves.ts says what counts, and hears
//   every kind of save). A page's own files (public/) need no restart: the
//   server reads them, and compiles app.ts, on each request, so a reload of
//   the page shows them. Saving one says so.
// - A fresh process each time, as `npm run check -- --watch` does: Node keeps
//   the modules it has loaded, so the same process would run the old code.
//   The old one is stopped (SIGTERM: its close() runs, as on Ctrl-C) and
//   waited for, so its port is free before the new one listens.
// - Quick: a spare process waits with ts-node, Express and Socket.IO loaded
//   (most of a lesson's start) but nothing of the lesson or shared/; on a
//   save it is the one that starts the lesson, and a new spare is made.
// - A lesson that does not load or start (a syntax error, a port taken), or
//   that stops, is reported, and the watcher waits for the next save.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { LessonInfo } from './lessons';
import { kindOfChange, watchSaves } from './saves';

const root = path.join(__dirname, '..');
/** How long a lesson may take to stop before it is killed. */
const STOP_MS = 3000;

type ToChild = { type: 'start'; lesson: LessonInfo };
type FromChild = { type: 'ready' } | { type: 'listening' };

// ---------------------------------------------------------------- the child

/**
 * The child's side (`start.ts --spare`): loads what every lesson loads, says
 * it is ready, and waits to be told which lesson to start.
 */
export function spare(run: (lesson: LessonInfo) => Promise<void>): void {
  require('express');
  require('socket.io');
  let started = false;
  process.on('message', (message: ToChild) => {
    if (message.type !== 'start' || started) return;
    started = true;
    run(message.lesson).then(() => {
      if (process.exitCode) process.exit(); // it did not start: runFromCommandLine said why
      process.send?.({ type: 'listening' } satisfies FromChild);
    });
  });
  // The watcher is gone (it was killed): stop the lesson as Ctrl-C would, or just go.
  process.on('disconnect', () => (started ? process.kill(process.pid, 'SIGTERM') : process.exit(0)));
  process.send?.({ type: 'ready' } satisfies FromChild);
}

// ---------------------------------------------------------------- the watcher

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  /** Resolves once the lesson listens; rejects with its exit code if it ends first. */
  listening: Promise<void>;
  exited: Promise<void>;
  alive(): boolean;
}

function spawnSpare(): Child {
  const child = fork(path.join(__dirname, 'start.ts'), ['--spare'], {
    cwd: root,
    execArgv: ['-r', 'ts-node/register'],
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const said = (type: FromChild['type']) =>
    new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromChild) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => reject(new Error(signal ?? `exit code ${code}`)));
    });
  const ready = said('ready');
  const listening = said('listening');
  ready.catch(() => {});
  listening.catch(() => {});
  return { process: child, ready, listening, exited, alive: () => child.exitCode === null && child.signalCode === null };
}

/** Stops a child as Ctrl-C would (SIGTERM), and waits until it has ended: its ports are free then. */
async function stop(child: Child): Promise<void> {
  if (!child.alive()) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), STOP_MS);
  await child.exited;
  clearTimeout(timer);
}

/** Runs `lesson`, and again on every save of its server code or of shared/. Ends on Ctrl-C. */
export function watchLesson(lesson: LessonInfo): void {
  const name = `lesson ${lesson.number}`;
  const watched = [lesson.folder, path.join(root, 'shared')];
  const where = watched.map((dir) => path.relative(root, dir)).join(' and ');
  let current: Child | undefined;
  let next: Child | undefined = spawnSpare();
  let busy = false;
  let again: string | undefined; // a save that came during a restart
  let quitting = false;

  /** Stops the lesson and starts it afresh; `why` is the line to print (none the first time). */
  const restart = async (why?: string) => {
    if (quitting) return;
    if (why) console.log(why);
    if (busy) {
      again = why; // once this restart is done
      return;
    }
    busy = true;
    if (current) {
      const old = current;
      current = undefined; // its end is no news
      await stop(old);
    }
    const child = next?.alive() ? next : spawnSpare();
    next = undefined;
    current = child;
    try {
      await child.ready;
      await saves.ready; // every save from now on is heard
      child.process.send({ type: 'start', lesson } satisfies ToChild);
      await child.listening;
      if (why === undefined) console.log(dim(`watching ${where}: saving a server file there restarts ${name} (Ctrl-C stops)`));
      child.exited.then(() => {
        if (current === child && !quitting) console.log(`${name} stopped (${describeExit(child.process)}): save a file to start it again`);
      });
    } catch {
      if (!quitting) console.log(`${name} did not start: fix what it says above and save again (watching ${where})`);
    }
    // The next spare loads while the lesson runs, not while it starts.
    if (!quitting) next = spawnSpare();
    busy = false;
    if (again !== undefined) {
      again = undefined;
      void restart(''); // said already
    }
  };

  // One line and one restart (or one reload hint) per save.
  const saves = watchSaves(root, watched, (files) => {
    const restarts = files.filter((file) => kindOfChange(file) === 'restart');
    const [first, ...more] = restarts.length ? restarts : files;
    const what = restarts.length ? `restarting ${name}` : 'reload the page to see it (a page file needs no restart)';
    const line = `${first} changed${more.length ? ` (and ${more.length} more)` : ''}: ${what}`;
    if (restarts.length) void restart(line);
    else console.log(line);
  });

  const quit = async () => {
    if (quitting) return;
    quitting = true;
    await saves.close();
    next?.process.kill();
    if (current) await stop(current); // Ctrl-C has reached it too: it is stopping already
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void quit());
  void restart();
}

function describeExit(child: ChildProcess): string {
  return child.signalCode ? `killed by ${child.signalCode}` : `exit code ${child.exitCode}`;
}

const dim = (text: string) => (process.stdout.isTTY && !process.env.NO_COLOR ? `\x1b[2m${text}\x1b[0m` : text);
