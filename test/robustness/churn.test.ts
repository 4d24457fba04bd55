// 3. 1,000 connect/disconnect cycles, some leaving mid-request (mid-join in
// the rooms lessons): afterwards nothing may be left behind.
import { expect } from 'expect';
import { io, type Socket } from 'socket.io-client';
import type { RunningLesson } from '../../shared/run';
import { connect } from '../helpers';
import { targets, titleOf } from './targets';
import { catchProcessErrors, QUICK_MS, settle, snapshot } from './watch';

const CYCLES = Number(process.env.CHURN_CYCLES ?? 1000);
const AT_ONCE = 50;

/** Connects, maybe starts a request, and leaves without waiting for it. */
function cycle(url: string, event: string | undefined, args: unknown[], midRequest: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const done = () => {
      socket.close();
      resolve();
    };
    socket.once('connect_error', done);
    socket.once('connect', () => {
      if (midRequest && event) socket.emit(event, ...args, () => {});
      done();
    });
  });
}

for (const target of targets.filter((t) => ['03', '06', '09', '10', '11', '13'].includes(t.lesson.slice(0, 2)))) {
  describe(titleOf(target, `after ${CYCLES} connections come and go`), function () {
    // Bounded work, ~2 s on an idle machine; a busy 2-core CI box can take much longer.
    this.timeout(60_000);
    let lesson: RunningLesson;
    let watch: ReturnType<typeof catchProcessErrors>;

    before(async () => {
      watch = catchProcessErrors();
      lesson = await target.start()({ ...target.options, port: 0 });
    });
    after(async () => {
      await lesson?.close();
      watch?.stop();
    });

    it('leaves no socket, room, timer or listener behind, and still answers', async () => {
      await new Promise((resolve) => setImmediate(resolve)); // after mocha has set its own timer
      const start0 = snapshot(lesson);
      const [first] = target.events;
      for (let i = 0; i < CYCLES; i += AT_ONCE) {
        await Promise.all(
          Array.from({ length: AT_ONCE }, (_, j) =>
            cycle(lesson.url, first?.event, [...(first?.good ?? [])].map((arg) => withName(arg, `user${i + j}`)), (i + j) % 3 === 0),
          ),
        );
      }
      expect(await settle(lesson, start0)).toEqual({});
      expect(watch.errors).toEqual([]);
      const client = await connect(lesson.url);
      // Lessons 10 and 13 keep a user list: of the 1,000 who came and went, no one may be left in it.
      const list = ['10-users', '13-scale-out'].includes(target.lesson) ? waitForList(client) : undefined;
      await target.prepare?.(client, 'Afterwards');
      await target.probe(client, QUICK_MS);
      if (list) expect(await list).toEqual(['Afterwards']);
    });
  });
}

/** The first user list a client is sent (lesson 10 sends one on joining). */
function waitForList(client: Socket): Promise<unknown> {
  return new Promise((resolve) => client.once('updateUserList', resolve));
}

/** Gives each joiner a name of its own, so the joins are good ones. */
function withName(arg: unknown, name: string): unknown {
  return arg && typeof arg === 'object' && 'name' in arg ? { ...arg, name } : arg;
}
