// A real Redis for the tests of lesson 13, never a mock: Debian's
// redis-server, started on a free port with nothing saved to disk, and
// stopped after the block. Without redis-server the Redis blocks are skipped
// with one line (as the browser tests are without Chromium); REQUIRE_REDIS=1,
// as in CI, makes that a failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';

export const redisServerPath = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';
export const hasRedis = existsSync(redisServerPath);
export const REDIS_SKIP_NOTE =
  `Redis tests skipped: no redis-server at ${redisServerPath} ` + '(install it with `sudo apt-get install redis-server`, or set REDIS_SERVER_PATH)';

let noted = false;

/** A redis-server this process started. */
export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM, SIGKILL after 2 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the kernel's choice). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server at `port` answers PING with PONG; rejects after `ms`. */
async function answersPing(port: number, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('redis-server exited while starting');
    const pong = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setTimeout(500);
      let said = '';
      socket.on('data', (chunk) => {
        said += chunk;
        if (said.includes('\r\n')) {
          socket.destroy();
          resolve(said.startsWith('+PONG'));
        }
      });
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (pong) return;
    if (Date.now() > until) throw new Error(`redis-server did not answer PING on port ${port} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts redis-server on a free port of 127.0.0.1: no RDB snapshot, no
 * append-only file, nothing written to disk. Resolves once it answers.
 */
export async function startRedis(): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    // The port is free now; another program may take it before redis-server does, so try again then.
    const port = await freePort();
    const child = spawn(
      redisServerPath,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--dir', '/tmp'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk).slice(-2000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
    };
    child.once('error', (err) => (lastError = err));
    try {
      await answersPing(port, child, 5000);
      return { url: `redis://127.0.0.1:${port}`, port, stop };
    } catch (err) {
      lastError = new Error(`${(err as Error).message}${output.trim() ? `: ${output.trim().split('\n').slice(-2).join(' | ')}` : ''}`);
      await stop();
    }
  }
  throw lastError;
}

/**
 * For a `describe` block that needs Redis: starts one before its tests and
 * stops it after them. Without redis-server the block is skipped, with one
 * line said once; with REQUIRE_REDIS=1 it fails instead. Returns a getter.
 */
export function useRedis(): () => RedisServer {
  let server: RedisServer | undefined;
  before(async function () {
    if (!hasRedis) {
      if (process.env.REQUIRE_REDIS === '1') throw new Error(REDIS_SKIP_NOTE.replace('skipped', 'cannot run'));
      if (!noted) process.stderr.write(`\n  ${REDIS_SKIP_NOTE}\n`);
      noted = true;
      this.skip();
    }
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
    server = undefined;
  });
  return () => {
    if (!server) throw new Error('Redis has not started');
    return server;
  };
}
