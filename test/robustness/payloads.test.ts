// 1. Every lesson and every event it takes, fed every kind of bad payload.
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import type { RunningLesson } from '../../shared/run';
import { connect, pause } from '../helpers';
import { badVariants } from './payloads';
import { targets, titleOf } from './targets';
import { catchProcessErrors, listenedEvents, QUICK_MS, quiet, recordEvents, settle, snapshot } from './watch';

const UNKNOWN_EVENTS = ['nope', 'constructor', '__proto__', 'hasOwnProperty', 'toString', 'error'];

for (const target of targets) {
  describe(titleOf(target, 'takes any payload'), () => {
    let lesson: RunningLesson;
    let bystander: Socket;
    let attacker: Socket;
    let seen: Array<[string, unknown[]]>;
    let watch: ReturnType<typeof catchProcessErrors>;
    let before0: ReturnType<typeof snapshot>;

    before(async () => {
      watch = catchProcessErrors();
      lesson = await target.start()({ ...target.options, port: 0 });
      bystander = await connect(lesson.url, await target.connectOptions?.(lesson.url, 'Bystander'), { keep: true });
      await target.prepare?.(bystander, 'Bystander');
      before0 = snapshot(lesson);
      attacker = await connect(lesson.url, await target.connectOptions?.(lesson.url, 'Mallory'), { keep: true });
      await target.prepare?.(attacker, 'Mallory');
      await quiet(bystander, target.ambient); // the notices of the attacker's arrival, and the user list
      seen = recordEvents(bystander, target.ambient);
    });

    after(async () => {
      bystander?.close();
      attacker?.close();
      await lesson?.close();
      watch?.stop();
    });

    for (const { event, good, limit = 500, extra = [] } of target.events) {
      const variants = [...badVariants(good, limit), ...extra];
      it(`${event}: ${variants.length} kinds of bad payload each get an error acknowledgement`, async () => {
        const wrong: string[] = [];
        for (const { label, args } of variants) {
          if (!attacker.connected) {
            wrong.push('(the server disconnected the client)');
            attacker = await connect(lesson.url, await target.connectOptions?.(lesson.url, 'Mallory'), { keep: true });
            await target.prepare?.(attacker, 'Mallory');
          }
          const reply = await attacker.timeout(1000).emitWithAck(event, ...args).catch((err: Error) => err.message);
          const refused = typeof reply === 'object' && reply?.ok === false && /\S/.test(reply.error);
          if (!refused) wrong.push(`${label}: ${JSON.stringify(reply)}`);
        }
        expect(wrong).toEqual([]);
      });
      it(`${event}: bad payloads with no acknowledgement, or one in the wrong place, are dropped`, async () => {
        for (const { args } of badVariants(good, limit)) attacker.emit(event, ...args);
        attacker.emit(event, () => {}, ...good);
        attacker.emit(event, ...good, () => {}, 'after the acknowledgement');
        await pause(50);
        expect(attacker.connected).toBe(true);
      });
    }

    // The server's own listeners say which events it takes. An event that
    // targets.ts does not list (one a learner added: whisper, typing) has no
    // known good payload, so it gets payloads of every shape: none may crash
    // the server, close the connection, or stop it answering.
    it('feeds bad payloads to every event the server listens for, listed in targets.ts or not', async () => {
      const listened = listenedEvents(lesson, attacker);
      const listed = target.events.map(({ event }) => event);
      expect(listed.filter((event) => !listened.includes(event))).toEqual([]); // targets.ts is not stale
      const unlisted = listened.filter((event) => !listed.includes(event));
      const heardBefore = seen.length;
      for (const event of unlisted) {
        // "No arguments" may be a good request (blink()): it is not fed, as it is no bad payload.
        const variants = [...badVariants([{ text: 'hello' }], 500), ...badVariants(['hello'], 500)].filter(({ label }) => label !== 'no arguments');
        for (const { args } of variants) {
          await attacker.timeout(300).emitWithAck(event, ...args).catch(() => 'no answer'); // any answer, or none
          attacker.emit(event, ...args);
        }
        expect({ event, connected: attacker.connected }).toEqual({ event, connected: true });
        await target.probe(bystander, 1000);
      }
      // What a learner's event sends the others (a typing notice) is its own business.
      seen.splice(heardBefore);
    });

    it('answers unknown events with an error acknowledgement', async () => {
      for (const event of UNKNOWN_EVENTS.filter((name) => name !== 'error')) {
        const reply = await attacker.timeout(1000).emitWithAck(event, { text: 'hi' });
        expect(reply).toEqual({ ok: false, error: expect.stringContaining('unknown event') });
      }
    });

    it('afterwards: no leak, no crash, a quick answer, nothing polluted, nothing left behind', async () => {
      await pause(50);
      expect(seen).toEqual([]);
      expect(watch.errors).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await target.probe(bystander, QUICK_MS);
      attacker.close();
      expect(await settle(lesson, before0)).toEqual({});
    });
  });
}
