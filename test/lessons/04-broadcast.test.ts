import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { start } from '../../lessons/04-broadcast/server';
import { AUDIENCES, type ClientToServerEvents, type IncomingMessage, type ServerToClientEvents, type Speech } from '../../lessons/04-broadcast/events';
import { RATE_LIMITED } from '../../shared/rate-limit';
import { collect, connectMany, emitRaw, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const MARKER = 'end of test';
const nameOf = (client: Client) => client.id!.slice(0, 6);

/** Asks `client` to speak, and resolves with the server's answer (`{ ok: true }`, with more in it after exercise 04.2). */
const speak = (client: Client, text: string, to: Speech['to']) => client.timeout(1000).emitWithAck('speak', { text, to });

/**
 * Records every incoming-message on each client; `heard()` waits until
 * `speaker`'s marker to everyone reached them all, then returns what each
 * heard before it. A connection delivers in order, so whatever was coming
 * has come by then: no sleeps.
 */
function listen(clients: Client[]) {
  const logs = clients.map((client) => collect(client, 'incoming-message') as IncomingMessage[]);
  return async (speaker: Client): Promise<IncomingMessage[][]> => {
    await expect(speak(speaker, MARKER, 'everyone')).resolves.toMatchObject({ ok: true });
    await Promise.all(
      clients.map(async (client, i) => {
        while (!logs[i].some((message) => message.text === MARKER)) await waitFor(client, 'incoming-message');
      }),
    );
    return logs.map((log) => log.slice(0, log.findIndex((message) => message.text === MARKER)));
  };
}

describe('04 broadcast', () => {
  const lesson = useLesson(start);
  afterEach(() => terminals.forEach((terminal) => terminal.kill()));

  it('to me: only the sender hears it', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const heard = listen([a, b, c]);
    await expect(speak(a, 'note to self', 'me')).resolves.toMatchObject({ ok: true });
    expect(await heard(a)).toEqual([[{ from: nameOf(a), text: 'note to self' }], [], []]);
  });

  it('to everyone: every client hears it, the sender too', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const heard = listen([a, b, c]);
    await expect(speak(b, 'hello all', 'everyone')).resolves.toMatchObject({ ok: true });
    const message = { from: nameOf(b), text: 'hello all' };
    expect(await heard(b)).toEqual([[message], [message], [message]]);
  });

  it('to others: everyone but the sender hears it', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const heard = listen([a, b, c]);
    await expect(speak(c, 'psst', 'others')).resolves.toMatchObject({ ok: true });
    const message = { from: nameOf(c), text: 'psst' };
    expect(await heard(c)).toEqual([[message], [message], []]);
  });

  it('trims the text, and passes a message on without an acknowledgement too', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const heard = listen([a, b]);
    a.emit('speak', { text: '  spaced out  ', to: 'others' });
    expect(await heard(a)).toEqual([[], [{ from: nameOf(a), text: 'spaced out' }]]);
  });

  it('refuses bad requests with an error answer, and passes nothing on', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const heard = listen([a, b, c]);
    const ask = (...args: unknown[]) => emitRaw(a, 'speak', args);
    const shape = 'expected an object like { text, to }';
    // "me", "everyone", "others", and any audience an exercise adds.
    const audience = `to must be one of ${AUDIENCES.map((name) => `"${name}"`).join(', ')}`;
    const cases: Array<[unknown[], string]> = [
      [['hello'], shape],
      [[42], shape],
      [[null], shape],
      [[[{ text: 'hi', to: 'everyone' }]], shape],
      [[{ text: 'hi' }], audience],
      [[{ text: 'hi', to: 'nobody' }], audience],
      [[{ text: 'hi', to: 'EVERYONE' }], audience],
      [[{ text: 'hi', to: ['me'] }], audience],
      [[{ to: 'everyone' }], 'text must be a string'],
      [[{ text: 42, to: 'everyone' }], 'text must be a string'],
      [[{ text: '   ', to: 'everyone' }], 'text must not be empty'],
      [[{ text: 'x'.repeat(501), to: 'everyone' }], 'text must be at most 500 characters'],
      [[{ text: 'hi', to: 'everyone', from: 'admin' }], 'unexpected field "from"'],
      [[], 'expected 1 argument and an acknowledgement, got 0 arguments'],
      [[{ text: 'hi', to: 'everyone' }, 'extra'], 'expected 1 argument and an acknowledgement, got 2 arguments'],
    ];
    for (const [args, error] of cases) {
      await expect(ask(...args)).resolves.toEqual({ ok: false, error });
    }
    expect(await heard(a)).toEqual([[], [], []]);
  });

  it('drops bad requests that carry no acknowledgement, or one that is not a function', async () => {
    const [a, b, c] = await connectMany<Client>(lesson().url, 3);
    const heard = listen([a, b, c]);
    const send = (...args: unknown[]) => emitRaw(a, 'speak', args, false);
    send(42);
    send(null);
    send({ text: 'hi', to: 'nobody' });
    send({ text: '', to: 'everyone' });
    send({ text: 'hi', to: 'everyone' }, 'not a function');
    send({ text: 'hi', to: 'everyone' }, { ack: true });
    send('hi', 'everyone');
    send();
    expect(a.connected).toBe(true);
    expect(await heard(a)).toEqual([[], [], []]);
  });

  it('answers an unknown event with an error, and drops it without an acknowledgement', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const heard = listen([a, b]);
    await expect(emitRaw(a, 'incoming-message', [{ from: 'admin', text: 'fake' }])).resolves.toEqual({
      ok: false,
      error: 'unknown event "incoming-message"',
    });
    await expect(emitRaw(a, 'shout', ['hello'])).resolves.toEqual({ ok: false, error: 'unknown event "shout"' });
    await emitRaw(a, 'incoming-message', [{ from: 'admin', text: 'fake' }], false);
    expect(await heard(a)).toEqual([[], []]);
  });

  it('lets three terminal clients talk to each other', async function () {
    this.timeout(60_000); // each terminal starts its own ts-node: seconds each on a busy machine
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => Terminal.start(lesson().url)));
    a.type('hello from A');
    for (const t of [a, b, c]) await t.waitForLine(/: hello from A$/);
    b.type('/to others');
    b.type('B to the others');
    await a.waitForLine(/: B to the others$/);
    await c.waitForLine(/: B to the others$/);
    c.type('/to me');
    c.type('C to itself');
    await c.waitForLine(/\(you\): C to itself$/);
    c.type('/to everyone');
    c.type('C to everyone');
    for (const t of [a, b, c]) await t.waitForLine(/: C to everyone$/);
    expect(b.output).not.toMatch(/: B to the others/);
    expect(a.output + b.output).not.toMatch(/C to itself/);
    await Promise.all([a, b, c].map((t) => t.quit()));
  });
});

describe('04 broadcast: rate limit', () => {
  const lesson = useLesson(start, { rateLimit: { burst: 3, perSecond: 0.001 } });

  it('refuses a client that sends too fast, and passes on nothing of it', async () => {
    const [a, b] = await connectMany<Client>(lesson().url, 2);
    const heard = listen([a, b]);
    for (const n of [1, 2, 3]) await expect(speak(a, `message ${n}`, 'others')).resolves.toMatchObject({ ok: true });
    await expect(speak(a, 'one too many', 'others')).resolves.toEqual({ ok: false, error: RATE_LIMITED });
    // b has an allowance of its own: it sends the marker.
    const sent = [1, 2, 3].map((n) => ({ from: nameOf(a), text: `message ${n}` }));
    expect(await heard(b)).toEqual([[], sent]);
  });
});

/** terminal.ts in a child process, fed through its stdin. Killed after each test, pass or fail. */
const terminals = new Set<Terminal>();

/** terminal.ts in a child process, fed through its stdin. */
class Terminal {
  output = '';
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (text: string) => (this.output += text));
  }

  static async start(url: string): Promise<Terminal> {
    const root = path.join(__dirname, '..', '..');
    const child = spawn(process.execPath, ['-r', 'ts-node/register', 'lessons/04-broadcast/terminal.ts', url], { cwd: root });
    const terminal = new Terminal(child);
    terminals.add(terminal);
    await terminal.waitForLine(/^.*connected to .*: you are /, 30_000); // three start at once
    return terminal;
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves once a line of output matches `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const found = () => this.output.split('\n').some((line) => pattern.test(line.trimEnd()));
    return new Promise((resolve, reject) => {
      if (found()) return resolve();
      const timer = setTimeout(() => {
        this.child.stdout.off('data', check);
        reject(new Error(`the terminal never printed ${pattern}; it printed:\n${this.output}`));
      }, timeoutMs);
      const check = () => {
        if (!found()) return;
        clearTimeout(timer);
        this.child.stdout.off('data', check);
        resolve();
      };
      this.child.stdout.on('data', check);
    });
  }

  /** Ends the program, if it is still running. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    terminals.delete(this);
  }

  /** Types /quit and resolves once the program has ended by itself. */
  quit(): Promise<number | null> {
    return new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.type('/quit');
    });
  }
}
