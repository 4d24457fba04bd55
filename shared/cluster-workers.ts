// The plumbing of lesson 13's workers, kept out of its first screen: what a
// primary needs to keep node:cluster workers going, and what each worker
// tells it, over node:cluster's IPC channel.
//
// Primary side, `WorkerPool`: forks each worker, waits until it listens,
// starts one that dies again (with its number and port, after 0.2 s, doubled
// each time it dies young), knows which worker holds which Engine.IO session
// (for the front port's sticky sessions), and stops them all on close.
// Worker side: `tell` the primary, `reportSessions`, `announceSessionsFirst`
// (a race in @socket.io/sticky, closed), `stopOnSignals`.
import cluster, { type Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';

/** What a worker tells the primary. */
export type WorkerNews =
  | { lesson13: 'listening'; index: number; url: string }
  | { lesson13: 'failed'; index: number; message: string }
  /** This worker is closing: send it nobody new. */
  | { lesson13: 'leaving'; index: number }
  /** An Engine.IO session opened or closed here (the primary can say which worker holds a session). */
  | { lesson13: 'session'; id: string; open: boolean };

export interface WorkerInfo {
  /** 1, 2, …: a restarted worker keeps its number (and its port, unless PORT=0). */
  index: number;
  pid: number;
  /** The worker's own address. */
  url: string;
}

/** A worker that dies is started again after this long, doubled each time it dies young (up to 10 s). */
const RESTART_MS = 200;
const YOUNG_MS = 5000;

/** Emits 'exit' (index) when a worker has stopped, killed or not: what it held, it holds no more. */
export class WorkerPool extends EventEmitter<{ exit: [index: number] }> {
  private readonly own = new Map<Worker, number>(); // the workers, by their index
  private readonly load = new Map<Worker, number>(); // the sessions each holds; Infinity while it starts or closes
  private readonly listening = new Map<number, WorkerInfo>();
  private readonly sessions = new Map<string, number>(); // Engine.IO session id → the index of the worker that holds it
  private readonly waiters = new Set<() => void>();
  private readonly youngDeaths = new Map<number, number>();
  private readonly restarts = new Set<NodeJS.Timeout>();
  private up = false; // every worker listened once: from then on, one that dies is started again
  private stopping = false;

  /** `env(index)`: the environment worker `index` is forked with. */
  constructor(private readonly env: (index: number) => NodeJS.ProcessEnv) {
    super();
  }

  /** Forks workers 1 to `count`; resolves once they all listen, rejects if one cannot. */
  async start(count: number): Promise<WorkerInfo[]> {
    const started = await Promise.all(Array.from({ length: count }, (_, i) => this.fork(i + 1)));
    this.up = true;
    return started;
  }

  /**
   * The worker for a request: the one that holds session `sid`, or else the
   * one with the fewest sessions. A worker still starting or already closing takes none.
   */
  workerFor(sid: string | undefined): Worker | undefined {
    const holder = sid === undefined ? undefined : this.sessions.get(sid);
    let best: Worker | undefined;
    for (const [worker, index] of this.own) {
      if (index === holder && !worker.isDead()) return worker;
      if ((this.load.get(worker) ?? Infinity) < (best ? this.load.get(best)! : Infinity)) best = worker;
    }
    return best;
  }

  /** The workers that are listening now. */
  workers(): WorkerInfo[] {
    return [...this.listening.values()].sort((a, b) => a.index - b.index);
  }

  /** Resolves once worker `index` listens in a process other than `pid` (after a restart). */
  restarted(index: number, pid: number, ms = 15_000): Promise<WorkerInfo> {
    return this.until(() => {
      const info = this.listening.get(index);
      return info && info.pid !== pid ? info : undefined;
    }, ms, `worker ${index} did not listen again within ${ms} ms`);
  }

  /** The worker that holds Engine.IO session `id` (a client's `socket.io.engine.id`), once it has said so. */
  workerOf(id: string, ms = 3000): Promise<WorkerInfo> {
    return this.until(() => this.listening.get(this.sessions.get(id) ?? 0), ms, `no worker said it holds session ${id} within ${ms} ms`);
  }

  /** Stops every worker: SIGTERM, then SIGKILL after 3 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.restarts) clearTimeout(timer);
    await Promise.all(
      [...this.own.keys()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), 3000);
            worker.once('exit', () => (clearTimeout(timer), resolve()));
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  }

  /** Forks worker `index`; resolves once it listens, rejects if it cannot. */
  private fork(index: number): Promise<WorkerInfo> {
    const worker = cluster.fork(this.env(index));
    this.own.set(worker, index);
    let accepting = false; // until it listens, and once it says it is leaving
    let held = 0; // the sessions it holds
    const count = () => void this.load.set(worker, accepting ? held : Infinity);
    count();
    // A message to a worker that just died fails; without a listener, that would end the primary.
    worker.on('error', (err) => console.error(`worker ${index}: ${err.message}`));
    for (const [stream, method] of [[worker.process.stdout, 'log'], [worker.process.stderr, 'error']] as const) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => console[method](line));
    }
    const born = Date.now();

    return new Promise((resolve, reject) => {
      let failure: string | undefined;
      worker.on('message', (news: WorkerNews | { type?: string; data?: unknown; lesson13Ask?: number }) => {
        if ('type' in news && news.type === 'sticky:connection' && typeof news.lesson13Ask === 'number') {
          // announceSessionsFirst: the worker waits for this answer before it answers the client.
          if (typeof news.data === 'string') this.sessions.set(news.data, index);
          worker.send({ lesson13Answer: news.lesson13Ask });
          return;
        }
        if (!('lesson13' in news)) return;
        if (news.lesson13 === 'listening') {
          const info = { index, pid: worker.process.pid!, url: news.url };
          this.listening.set(index, info);
          // Printed here, not by the worker: its output comes through a pipe, which may lag behind this message.
          console.log(`worker ${index} listening on ${news.url}`);
          accepting = true;
          count();
          this.wake();
          resolve(info);
        } else if (news.lesson13 === 'failed') failure = news.message;
        else if (news.lesson13 === 'leaving') {
          accepting = false;
          count();
        } else if (news.lesson13 === 'session') {
          if (news.open) this.sessions.set(news.id, index);
          else if (this.sessions.get(news.id) === index) this.sessions.delete(news.id);
          held += news.open ? 1 : -1;
          count();
          this.wake();
        }
      });
      worker.once('exit', (code, signal) => {
        this.own.delete(worker);
        this.load.delete(worker);
        if (this.listening.get(index)?.pid === worker.process.pid) this.listening.delete(index);
        for (const [id, holder] of this.sessions) if (holder === index) this.sessions.delete(id);
        this.emit('exit', index);
        reject(new Error(failure ?? `worker ${index} stopped before it listened (${signal ?? `exit code ${code}`})`));
        if (this.stopping || !this.up) return;
        const deaths = Date.now() - born < YOUNG_MS ? (this.youngDeaths.get(index) ?? 0) + 1 : 0;
        this.youngDeaths.set(index, deaths);
        const delay = Math.min(10_000, RESTART_MS * 2 ** Math.max(0, deaths - 1));
        console.error(`worker ${index} (pid ${worker.process.pid}) stopped (${signal ?? `exit code ${code}`}): starting another in ${delay / 1000} s`);
        const again = setTimeout(() => {
          if (!this.stopping) this.fork(index).catch((err: Error) => console.error(err.message));
        }, delay);
        this.restarts.add(again);
      });
    });
  }

  private wake(): void {
    this.waiters.forEach((wakeUp) => wakeUp());
  }

  /** Resolves with what `found` finds, looking again whenever a worker says something; rejects after `ms`. */
  private until<T>(found: () => T | undefined, ms: number, failure: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => (done(), reject(new Error(failure))), ms);
      const done = () => (clearTimeout(timer), this.waiters.delete(check));
      this.waiters.add(check);
      check();
    });
  }
}

// ── In a worker ──────────────────────────────────────────────────────────────

/** Tells the primary; resolves once sent (at once when there is no primary). */
export const tell = (news: WorkerNews) =>
  new Promise<void>((resolve) => (process.connected ? process.send!(news, undefined, {}, () => resolve()) : resolve()));

type Engine = {
  generateId(req: never): string | PromiseLike<string>;
  on(event: 'connection', listener: (connection: { id: string; once(event: 'close', listener: () => void): void }) => void): void;
};

/** Tells the primary of every Engine.IO session that opens or closes here (WorkerPool.workerOf, and the load). */
export function reportSessions(engine: Engine): void {
  engine.on('connection', (connection) => {
    void tell({ lesson13: 'session', id: connection.id, open: true });
    connection.once('close', () => void tell({ lesson13: 'session', id: connection.id, open: false }));
  });
}

/**
 * Sticky's setupWorker tells the primary about a new session once the
 * worker has answered the handshake. A quick client's next request may reach
 * the primary before that news does, and go to another worker, which answers
 * HTTP 400 "Session ID unknown". So the worker tells the primary first, in
 * sticky's own message (WorkerPool reads it), and answers the client once the
 * primary has it.
 */
export function announceSessionsFirst(engine: Engine): void {
  const waiting = new Map<number, () => void>();
  let asked = 0;
  process.on('message', (message: { lesson13Answer?: number }) => {
    const answer = message?.lesson13Answer;
    if (answer === undefined) return;
    waiting.get(answer)?.();
    waiting.delete(answer);
  });
  const generateId = engine.generateId.bind(engine);
  engine.generateId = async (req) => {
    const id = await generateId(req);
    if (!process.connected) return id;
    const ask = ++asked;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000); // the primary is busy, or gone: answer anyway
      waiting.set(ask, () => (clearTimeout(timer), resolve()));
      process.send!({ type: 'sticky:connection', data: id, lesson13Ask: ask });
    });
    waiting.delete(ask);
    return id;
  };
}

/**
 * Closes the worker when the primary says so (SIGTERM) or is gone, and on a
 * bug (an uncaught error: a program must not go on after one), so that its
 * clients reconnect to another worker at once. Ctrl-C reaches every process
 * of the terminal: the primary stops the workers, so they ignore it.
 */
export function stopOnSignals(index: number, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void tell({ lesson13: 'leaving', index });
    setTimeout(() => process.exit(code), 2000).unref();
    close().finally(() => process.exit(code));
  };
  process.once('SIGTERM', () => stop(0));
  process.once('disconnect', () => stop(0));
  process.on('SIGINT', () => {});
  process.on('uncaughtException', (err) => {
    console.error(`worker ${index} crashed: ${err.stack ?? err}`);
    stop(1);
  });
}
