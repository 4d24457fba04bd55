// Lesson 13 for the robustness suite, in this process (the suite looks inside
// the server: its sockets, rooms and listeners). Two of lesson 13's chat
// servers share a real Redis through the Redis Streams adapter, as two workers
// would: the hostile client talks to the first, and every join and user list
// asks the second too. Without redis-server, one server alone, with no
// adapter (said once; REQUIRE_REDIS=1 makes it a failure).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redisAdapter } from '../../lessons/13-scale-out/adapters';
import { start } from '../../lessons/13-scale-out/chat';
import type { ChatOptions } from '../../lessons/13-scale-out/settings';
import type { RunningLesson } from '../../shared/run';
import { hasRedis, REDIS_SKIP_NOTE, startRedis } from '../redis';

let noted = false;

export async function startScaleOut(options: ChatOptions): Promise<RunningLesson> {
  if (!hasRedis) {
    if (process.env.REQUIRE_REDIS === '1') throw new Error(REDIS_SKIP_NOTE.replace('skipped', 'cannot run'));
    if (!noted) process.stderr.write(`\n  ${REDIS_SKIP_NOTE.replace('Redis tests skipped', 'lesson 13 robustness runs one server with no adapter')}\n`);
    noted = true;
    return start({ dbFile: ':memory:', ...options });
  }
  const redis = await startRedis();
  // One message store for both, as the workers share theirs.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lesson13-'));
  const dbFile = path.join(dir, 'chat.db');
  const servers: RunningLesson[] = [];
  const closeAll = async () => {
    for (const server of servers.splice(0)) await server.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const name of ['worker 1', 'worker 2']) {
      // A short block: the adapter's reader notices it is closed after its current read.
      const { adapter, close } = await redisAdapter(redis.url, { blockTimeInMs: 100 });
      servers.push(await start({ dbFile, ...options, name, adapter, recovery: true, onClose: close }));
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const [first] = servers;
  return { url: first.url, io: first.io, close: closeAll };
}
