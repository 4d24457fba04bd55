import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { start } from '../../lessons/01-date-notifier/server';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lessons/01-date-notifier/events';
import { closeClients, connect, connectFor, connectMany, emitRaw, pause, useLesson, waitFor } from '../helpers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('01 date notifier', () => {
  const lesson = useLesson(start, { intervalMs: 20 });

  it('sends every client an ISO date, again and again', async () => {
    const clients = await connectMany<Client>(lesson().url, 2);
    for (const client of clients) {
      const dates: string[] = [];
      while (dates.length < 3) dates.push((await waitFor(client, 'date')).iso);
      for (const iso of dates) expect(iso).toMatch(ISO);
      expect(Date.parse(dates[2])).toBeGreaterThanOrEqual(Date.parse(dates[0]));
    }
  });

  it('greets a newcomer with the date before the next tick', async () => {
    const slow = await start({ port: 0, intervalMs: 60_000 });
    try {
      const [, first] = await connectFor<Client>(slow.url, 'date', 500);
      expect(first.iso).toMatch(ISO);
    } finally {
      closeClients();
      await slow.close();
    }
  });

  it('allows its own page (CORS) and refuses other sites', async () => {
    const page = new URL(lesson().pageUrl!).origin;
    const poll = (origin: string) =>
      fetch(`${lesson().url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await poll(page)).headers.get('access-control-allow-origin')).toBe(page);
    expect((await poll('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a WebSocket from another site, which CORS alone would let in', async () => {
    const fromSite = (origin: string) => connect<Client>(lesson().url, { extraHeaders: { origin } });
    await expect(fromSite('http://evil.example')).rejects.toThrow();
    await expect(fromSite(new URL(lesson().pageUrl!).origin)).resolves.toBeDefined();
  });

  it('serves the page, its compiled script and the shared stylesheet', async () => {
    const base = new URL(lesson().pageUrl!).origin;
    const html = await fetch(`${base}/`);
    expect(await html.text()).toContain('<script type="module" src="app.js">');
    const script = await fetch(`${base}/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).not.toContain('declare const io');
    expect((await fetch(`${base}/workbook.css`)).status).toBe(200);
    expect((await fetch(`${base}/../server.ts`)).status).toBe(404);
  });

  it('ignores anything a client sends, and keeps sending dates', async () => {
    const client = await connect<Client>(lesson().url);
    await expect(emitRaw(client, 'date', [{ iso: 'fake' }])).resolves.toEqual({
      ok: false,
      error: 'unknown event "date"',
    });
    for (const junk of [undefined, null, 42, [1, 2], { __proto__: { x: 1 } }]) {
      await emitRaw(client, 'hello', [junk], false);
    }
    await pause(10);
    expect((await waitFor(client, 'date')).iso).toMatch(ISO);
  });
});

describe('01 date notifier: its two ports', () => {
  it('says what each port is for', async () => {
    const lesson = await start({ port: 0 });
    try {
      const page = new URL(lesson.pageUrl!).origin;
      expect(lesson.ports).toEqual([expect.stringContaining(`Socket.IO on ${lesson.url}`), expect.stringContaining(`the page on ${page} (PORT+1`)]);
    } finally {
      await lesson.close();
    }
  });

  it('names PORT+1, and why, when the page’s port is taken', async () => {
    // Something else holds a port; the lesson is asked for the one below it.
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, resolve));
    const taken = (other.address() as AddressInfo).port;
    try {
      await expect(start({ port: taken - 1 })).rejects.toThrow(
        `Port ${taken} (PORT+1) is already in use. Lesson 01 serves its page on a second port, PORT+1, so that the page comes from another origin`,
      );
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it('refuses a PORT with no PORT+1', async () => {
    await expect(start({ port: 65535 })).rejects.toThrow('PORT can be at most 65534, not 65535');
  });
});
