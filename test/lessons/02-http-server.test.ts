import { expect } from 'expect';
import { io, type Socket } from 'socket.io-client';
import { start } from '../../lessons/02-http-server/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/02-http-server/events';
import { connect, connectMany, emitRaw, pause, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
type EventName = keyof ServerToClientEvents;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A client that records everything from before it connects. What the server
 * sends on connection can arrive in the same breath as "connect", before a
 * listener added after connect() resolves; this one misses nothing.
 */
class Listener {
  readonly socket: Client;
  private readonly heard: Array<{ event: string; value: unknown }> = [];
  private readonly waiting: Array<{ event: string; resolve: (value: unknown) => void }> = [];

  constructor(url: string) {
    this.socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.onAny((event: string, value: unknown) => {
      const i = this.waiting.findIndex((w) => w.event === event);
      if (i >= 0) this.waiting.splice(i, 1)[0].resolve(value);
      else this.heard.push({ event, value });
    });
    listeners.add(this);
  }

  /** The next `event` not taken yet, waiting up to `timeoutMs` for it. */
  take(event: EventName, timeoutMs = 2000): Promise<unknown> {
    const i = this.heard.findIndex((h) => h.event === event);
    if (i >= 0) return Promise.resolve(this.heard.splice(i, 1)[0].value);
    return new Promise((resolve, reject) => {
      const waiter = { event, resolve: (value: unknown) => (clearTimeout(timer), resolve(value)) };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new Error(`"${event}" did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.push(waiter);
    });
  }

  /** The names of the events heard and not taken yet. */
  untaken(): string[] {
    return this.heard.map((h) => h.event);
  }

  close(): void {
    this.socket.close();
    listeners.delete(this);
  }
}
const listeners = new Set<Listener>();
const closeListeners = () => listeners.forEach((listener) => listener.close());

describe('02 http server', () => {
  const lesson = useLesson(start, { intervalMs: 20 });
  afterEach(closeListeners);

  it('says event:hello to the newcomer, with its id', async () => {
    const client = new Listener(lesson().url);
    expect(await client.take('event:hello')).toMatchObject({ id: client.socket.id }); // and maybe more: exercise 02.2 adds a count
  });

  it('sends the date to every client, again and again', async () => {
    const clients = await connectMany<Client>(lesson().url, 3);
    for (const client of clients) {
      const first = await waitFor(client, 'date');
      const second = await waitFor(client, 'date');
      expect(first.iso).toMatch(ISO);
      expect(Date.parse(second.iso)).toBeGreaterThanOrEqual(Date.parse(first.iso));
    }
  });

  it('serves the page, its script, the shared stylesheet and the Socket.IO client on one port', async () => {
    const html = await fetch(`${lesson().url}/`);
    const page = await html.text();
    expect(page).toContain('<script src="/socket.io/socket.io.js">');
    expect(page).toContain('<script type="module" src="app.js">');
    const app = await fetch(`${lesson().url}/app.js`);
    expect(app.headers.get('content-type')).toContain('javascript');
    expect(await app.text()).not.toContain('declare const io');
    expect((await fetch(`${lesson().url}/workbook.css`)).status).toBe(200);
    const client = await fetch(`${lesson().url}/socket.io/socket.io.js`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${lesson().url}/server.ts`)).status).toBe(404);
  });

  it('refuses connections from pages of other sites', async () => {
    const poll = (origin: string) =>
      fetch(`${lesson().url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await poll(lesson().url)).status).toBe(200);
    expect((await poll('http://evil.example')).status).toBe(403);
  });
});

describe('02 http server: the client count', () => {
  const lesson = useLesson(start, { intervalMs: 60_000 });
  afterEach(closeListeners);

  it('tells everyone the count as clients come and go', async () => {
    const a = new Listener(lesson().url);
    expect(await a.take('clients')).toEqual({ count: 1 });
    const b = new Listener(lesson().url);
    expect(await b.take('clients')).toEqual({ count: 2 });
    expect(await a.take('clients')).toEqual({ count: 2 });
    const c = new Listener(lesson().url);
    expect(await c.take('clients')).toEqual({ count: 3 });
    expect(await a.take('clients')).toEqual({ count: 3 });
    expect(await b.take('clients')).toEqual({ count: 3 });
    b.close();
    expect(await a.take('clients')).toEqual({ count: 2 });
    expect(await c.take('clients')).toEqual({ count: 2 });
    c.close();
    expect(await a.take('clients')).toEqual({ count: 1 });
  });
});

describe('02 http server: bad input', () => {
  const lesson = useLesson(start, { intervalMs: 60_000 });
  afterEach(closeListeners);

  it('answers anything a client sends with an error, tells no one else, and carries on', async () => {
    const bystander = new Listener(lesson().url);
    await bystander.take('event:hello');
    await bystander.take('date');
    expect(await bystander.take('clients')).toEqual({ count: 1 });
    const client = await connect<Client>(lesson().url);
    expect(await bystander.take('clients')).toEqual({ count: 2 });

    const unknown = (event: string) => ({ ok: false, error: `unknown event "${event}"` });
    await expect(emitRaw(client, 'date', [{ iso: 'fake' }])).resolves.toEqual(unknown('date'));
    await expect(emitRaw(client, 'clients', [null])).resolves.toEqual(unknown('clients'));
    await expect(emitRaw(client, 'event:hello', [42, 'extra', 'arguments'])).resolves.toEqual(unknown('event:hello'));
    await expect(emitRaw(client, 'hello', [])).resolves.toEqual(unknown('hello'));
    // No acknowledgement, or a "callback" that is not a function: nothing to answer.
    await emitRaw(client, 'date', [{ iso: 'fake' }], false);
    await emitRaw(client, 'clients', [{ count: 99 }, 'not a function'], false);
    await emitRaw(client, 'hello', [undefined, null], false);

    // Still answering, and still greeting newcomers.
    await expect(emitRaw(client, 'date', [])).resolves.toEqual(unknown('date'));
    const newcomer = new Listener(lesson().url);
    expect(await newcomer.take('event:hello')).toMatchObject({ id: newcomer.socket.id });
    expect(await newcomer.take('clients')).toEqual({ count: 3 });
    // The bystander heard the newcomer's count, and nothing of the bad requests.
    expect(await bystander.take('clients')).toEqual({ count: 3 });
    await pause(20);
    expect(bystander.untaken()).toEqual([]);
  });
});
