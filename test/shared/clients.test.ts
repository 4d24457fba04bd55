// shared/clients.ts over real sockets: a cap on connections per address, and
// a client that does not read is cut off before the server holds too much.
import { randomBytes } from 'node:crypto';
import http, { createServer } from 'node:http';
import net from 'node:net';
import { expect } from 'expect';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { addressOf, DEFAULT_LIMITS, limitEachClient, limitsFromEnv, TOO_MANY_CONNECTIONS, type ClientLimits } from '../../shared/clients';
import { checkOrigin } from '../../shared/origins';
import { ClientRateLimiter, SOCKETS_PER_ADDRESS } from '../../shared/rate-limit';
import { listen } from '../../shared/run';
import { connect, pause } from '../helpers';

async function server(limits: ClientLimits) {
  const httpServer = createServer();
  const io = new Server(httpServer, { allowRequest: checkOrigin });
  limitEachClient(io, limits);
  const url = await listen(httpServer, 0);
  return { io, url, close: () => io.close() };
}

/** Opens a polling session with plain HTTP from `localAddress`: the status and the body. */
function handshake(url: string, localAddress: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${url}/socket.io/?EIO=4&transport=polling`, { localAddress }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on('error', reject);
  });
}

/** Every line console.warn prints while `block` runs. */
async function warnings(block: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    await block();
  } finally {
    console.warn = warn;
  }
  return lines;
}

describe('clients: limits per address', () => {
  it('reads an address from a socket or a request, without the IPv4-in-IPv6 prefix, and an IPv6 one as its /64', () => {
    expect(addressOf({ handshake: { address: '::ffff:127.0.0.2' } })).toBe('127.0.0.2');
    expect(addressOf({ handshake: { address: '::1' } })).toBe('0:0:0:0::/64');
  });

  it('keys IPv4 by address, IPv6 by its /64 (one host may use any address in it), and IPv4 in IPv6 as IPv4', () => {
    const key = (address: string) => addressOf({ handshake: { address } });
    expect(key('192.0.2.7')).toBe('192.0.2.7');
    expect(key('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(key('::FFFF:c000:207')).toBe('192.0.2.7'); // the same, written in hexadecimal
    // One laptop on an IPv6 network: every address of its /64 is one client.
    const laptop = ['2001:db8:aa:1::1', '2001:db8:aa:1:1234:5678:9abc:def0', '2001:0DB8:00AA:0001:ffff:ffff:ffff:ffff', '2001:db8:aa:1::7%eth0'];
    expect(new Set(laptop.map(key))).toEqual(new Set(['2001:db8:aa:1::/64']));
    // Another /64 is another client, even next door.
    expect(key('2001:db8:aa:2::1')).toBe('2001:db8:aa:2::/64');
    expect(key('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(key('fe80::1')).toBe('fe80:0:0:0::/64');
    expect(key('::')).toBe('0:0:0:0::/64');
    // What is neither stays as it is (and is one client).
    expect(key('')).toBe('unknown');
    expect(key('not an address')).toBe('not an address');
  });

  it('gives one share of messages to a whole IPv6 /64, not one per address', () => {
    const limiter = new ClientRateLimiter({ burst: 1, perSecond: 1 }, { now: () => 0 });
    // A script that takes a new address of its /64 for every socket gets the address's share, no more.
    const accepted = Array.from({ length: 100 }, (_, i) => limiter.take({ id: `s${i}`, handshake: { address: `2001:db8:aa:1::${i.toString(16)}` } }));
    expect(accepted.filter(Boolean)).toHaveLength(SOCKETS_PER_ADDRESS);
    expect(limiter.take({ id: 'next door', handshake: { address: '2001:db8:aa:2::1' } })).toBe(true);
  });

  it('reads the limits from the environment, and refuses nonsense', () => {
    expect(limitsFromEnv({ MAX_CONNECTIONS_PER_ADDRESS: '500' }).connectionsPerAddress).toBe(500);
    expect(limitsFromEnv({}).connectionsPerAddress).toBe(20);
    expect(() => limitsFromEnv({ MAX_WAITING_PACKETS: 'lots' })).toThrow('MAX_WAITING_PACKETS must be a whole number above 0, not "lots"');
    expect(() => limitsFromEnv({ MAX_WAITING_BYTES: '0' })).toThrow('MAX_WAITING_BYTES must be a whole number above 0');
    // Raw TCP connections: twice the Engine.IO ones and 10, unless said; headers within 5 s.
    expect(limitsFromEnv({})).toMatchObject({ tcpConnectionsPerAddress: 50, headersTimeoutMs: 5000 });
    expect(limitsFromEnv({ MAX_CONNECTIONS_PER_ADDRESS: '500' }).tcpConnectionsPerAddress).toBe(1010);
    expect(limitsFromEnv({ MAX_TCP_CONNECTIONS_PER_ADDRESS: '80', HEADERS_TIMEOUT_MS: '2000' })).toMatchObject({ tcpConnectionsPerAddress: 80, headersTimeoutMs: 2000 });
    expect(() => limitsFromEnv({ HEADERS_TIMEOUT_MS: '-1' })).toThrow('HEADERS_TIMEOUT_MS must be a whole number above 0, not "-1"');
  });

  it('refuses connections from one address beyond the cap, not from another, and counts a closed one out', async () => {
    const s = await server({ ...DEFAULT_LIMITS, connectionsPerAddress: 3, waitingPackets: 1000, waitingBytes: 1e6 });
    try {
      const from2 = { localAddress: '127.0.0.2' } as object;
      const mine = await Promise.all([1, 2, 3].map(() => connect(s.url, from2)));
      await expect(connect(s.url, from2)).rejects.toThrow();
      expect(await handshake(s.url, '127.0.0.2')).toEqual({ status: 403, body: { code: 4, message: TOO_MANY_CONNECTIONS } });
      await connect(s.url, { localAddress: '127.0.0.3' } as object); // another machine
      mine[0].close();
      await pause(50);
      await connect(s.url, from2); // a place is free again
    } finally {
      await s.close();
    }
  });

  it('cuts off a client that does not read, logs it once, and keeps serving the others', async () => {
    const s = await server({ ...DEFAULT_LIMITS, connectionsPerAddress: 20, waitingPackets: 500, waitingBytes: 1e6 });
    try {
      const reader = await connect(s.url, { localAddress: '127.0.0.3' } as object);
      let read = 0;
      reader.on('news', () => read++);
      const lines = await warnings(async () => {
        const deaf: Socket[] = [];
        for (let i = 0; i < 3; i++) deaf.push(await connect(s.url, { localAddress: '127.0.0.2' } as object));
        for (const client of deaf) (client.io.engine.transport as any).ws._socket.pause(); // reads nothing more
        const news = 'n'.repeat(1000);
        for (let round = 0; round < 100 && s.io.engine.clientsCount > 1; round++) {
          for (let i = 0; i < 200; i++) s.io.emit('news', news);
          await pause(10);
        }
      });
      expect(s.io.engine.clientsCount).toBe(1); // the three deaf ones are gone, the reader stays
      expect(lines).toHaveLength(1); // one line for the address, not one per client or message
      expect(lines[0]).toMatch(/^cut off a client at 127\.0\.0\.2: \d+ messages \(\d+ bytes\) waited unread$/);
      await pause(50);
      expect(read).toBeGreaterThan(1000);
      expect(reader.connected).toBe(true);
    } finally {
      await s.close();
    }
  });

  it('cuts off a client that floods WebSocket pings and never reads the pongs', async function () {
    this.timeout(10_000);
    const s = await server({ ...DEFAULT_LIMITS, connectionsPerAddress: 20, waitingPackets: 500, waitingBytes: 1e6 });
    try {
      const flooder = net.connect({ port: Number(new URL(s.url).port), host: '127.0.0.1', localAddress: '127.0.0.4' });
      flooder.on('error', () => {});
      const key = randomBytes(16).toString('base64');
      flooder.write(
        `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ${new URL(s.url).host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      await new Promise((resolve) => flooder.once('data', resolve)); // 101 Switching Protocols
      flooder.pause(); // and reads nothing more
      // Masked ping frames with 125 bytes each: each one is answered with a pong of 125 bytes.
      const ping = Buffer.concat([Buffer.from([0x89, 0x80 | 125, 0, 0, 0, 0]), randomBytes(125)]);
      const block = Buffer.concat(Array.from({ length: 500 }, () => ping));
      const closed = new Promise((resolve) => flooder.once('close', resolve));
      const lines = await warnings(async () => {
        let open = true;
        void closed.then(() => (open = false));
        const until = Date.now() + 5000; // without the limit, the server would hold every pong
        while (open && Date.now() < until) {
          if (!flooder.write(block)) await Promise.race([new Promise((resolve) => flooder.once('drain', resolve)), closed, pause(100)]);
        }
        flooder.destroy();
      });
      expect(lines).toEqual([expect.stringMatching(/^cut off a client at 127\.0\.0\.4: 0 messages \(\d+ bytes\) waited unread$/)]);
    } finally {
      await s.close();
    }
  });
});
