// Lesson 13's front port (front.ts) on its own, with stand-ins for the
// workers that record what they are handed: it reads a connection's first
// bytes, and nothing more, whatever the client sends after them.
import net from 'node:net';
import { expect } from 'expect';
import { frontPort, sessionIdOf } from '../../lessons/13-scale-out/front';
import { listening } from '../../shared/run';
import { pause } from '../helpers';

type Handed = { message: { type: string; data: Buffer }; socket: net.Socket };

/** A front whose one stand-in worker keeps what it is handed (or none: no worker takes connections). */
async function front(options: Parameters<typeof frontPort>[1] = {}, worker = true) {
  const handed: Handed[] = [];
  const asked: Array<string | undefined> = [];
  const stub = {
    send(message: Handed['message'], socket: net.Socket, callback: (err: Error | null) => void) {
      handed.push({ message, socket });
      callback(null);
      return true;
    },
  };
  const server = frontPort((sid) => (asked.push(sid), worker ? (stub as never) : undefined), options);
  const port = Number(new URL(await listening(server.listen(0))).port);
  const open = (localAddress = '127.0.0.1') => {
    const client = net.connect({ port, host: '127.0.0.1', localAddress });
    client.on('error', () => {});
    return client;
  };
  const close = () => {
    for (const { socket } of handed) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  };
  return { handed, asked, open, close };
}

const closedWithin = (client: net.Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => (clearTimeout(timer), resolve(true)));
  });

describe('13 scale-out, the front port', () => {
  it('finds the session id in the request line only', () => {
    const sid = 'AbCdEfGhIjKlMnOpQr-_';
    expect(sessionIdOf(Buffer.from(`GET /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n\r\n`))).toBe(sid);
    expect(sessionIdOf(Buffer.from(`GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nX-Pin: sid=${sid}\r\n\r\n`))).toBeUndefined();
    expect(sessionIdOf(Buffer.from(`GET /?sid=${sid}x HTTP/1.1\r\n\r\n`))).toBeUndefined(); // 21 characters: no session id
    expect(sessionIdOf(Buffer.from('garbage'))).toBeUndefined();
  });

  it('hands a request with a body to its worker after the first bytes, and reads none of the rest', async () => {
    const f = await front();
    try {
      const client = f.open();
      const sid = 'A'.repeat(20);
      const head = `POST /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\n`;
      client.write(head);
      while (f.handed.length === 0) await pause(10);
      for (let i = 0; i < 20; i++) client.write(Buffer.alloc(64 * 1024, 'a')); // 1.3 MB more, for the worker to refuse
      await pause(200);
      expect(f.asked).toEqual([sid]);
      expect(f.handed.map(({ message }) => message.type)).toEqual(['sticky:connection']);
      expect(f.handed[0].message.data.toString()).toBe(head);
      expect(f.handed[0].socket.bytesRead).toBe(head.length); // the primary kept nothing of the body
      client.destroy();
    } finally {
      await f.close();
    }
  });

  it('answers 503 when no worker takes connections', async () => {
    const f = await front({}, false);
    try {
      const client = f.open();
      client.write('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n');
      const answer = await new Promise<string>((resolve) => client.once('data', (chunk) => resolve(chunk.toString())));
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
      expect(await closedWithin(client, 1000)).toBe(true);
    } finally {
      await f.close();
    }
  });

  it('closes a connection that says nothing, and lets one address wait with only so many', async () => {
    const f = await front({ firstBytesMs: 300, waitingPerAddress: 3 });
    try {
      const quiet = [1, 2, 3, 4, 5].map(() => f.open('127.0.0.5'));
      const other = f.open('127.0.0.6');
      const closedAt = await Promise.all(quiet.map((client) => closedWithin(client, 150)));
      expect(closedAt.filter(Boolean)).toHaveLength(2); // past 3 waiting from 127.0.0.5: closed at once
      expect(await closedWithin(other, 1000)).toBe(true); // said nothing for 300 ms
      expect(f.handed).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('keeps a connection until its request line is whole, then hands over all of it; half a line and silence is closed here', async () => {
    const f = await front({ firstBytesMs: 500 });
    try {
      const sid = 'B'.repeat(20);
      const slow = f.open('127.0.0.9');
      slow.write('GET /socket.io/?EIO=4&transport=polling&si');
      const stuck = f.open('127.0.0.9');
      stuck.write('GET /socket.io/?EIO=4&transp');
      await pause(100);
      expect(f.handed).toEqual([]);
      slow.write(`d=${sid} HTTP/1.1\r\nHost: x\r\n\r\n`);
      while (f.handed.length === 0) await pause(10);
      expect(f.asked).toEqual([sid]); // the session id, though it came in two pieces
      expect(f.handed[0].message.data.toString()).toBe(`GET /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(await closedWithin(stuck, 1000)).toBe(true); // half a line, then nothing for 500 ms
      expect(f.handed).toHaveLength(1);
    } finally {
      await f.close();
    }
  });

  it('keeps a connection until its headers are whole too: half the headers, or a byte at a time, is closed here, never handed over', async () => {
    const f = await front({ firstBytesMs: 500 });
    try {
      const halfHeaders = f.open('127.0.0.10');
      halfHeaders.write('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nUser-Ag');
      const trickle = f.open('127.0.0.10');
      const dripping = setInterval(() => trickle.write('G'), 100); // never quiet for long, never done
      const whole = f.open('127.0.0.11');
      whole.write('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n');
      await pause(50);
      whole.write('\r\n'); // the end of the headers, in a chunk of its own
      const closed = await Promise.all([closedWithin(halfHeaders, 1500), closedWithin(trickle, 1500)]);
      clearInterval(dripping);
      expect(closed).toEqual([true, true]);
      expect(f.handed.map(({ message }) => message.data.toString())).toEqual(['GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n']);
      whole.destroy();
    } finally {
      await f.close();
    }
  });
});
