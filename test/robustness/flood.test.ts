// 4. One client sends 1,000 messages as fast as it can. The chat lessons
// refuse it beyond the rate limit; everyone else chats on, and the
// flooder's own good messages go through again once it slows down.
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import { CHAT_RATE_LIMIT, RATE_LIMITED } from '../../shared/rate-limit';
import type { RunningLesson } from '../../shared/run';
import { connect, pause } from '../helpers';
import { targets, titleOf } from './targets';
import { catchProcessErrors, QUICK_MS } from './watch';

const FLOOD = 1000;
const chats: Record<string, { send: string; receive: string; payload: (text: string) => unknown }> = {
  '05-chat': { send: 'chat message', receive: 'chat message', payload: (text) => text },
  '06-message-generator': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
  '07-geolocation': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
  '08-timestamps-templates': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
  '09-rooms': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
  '10-users': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
  '12-delivery': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
  '13-scale-out': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
  '14-sign-in': { send: 'createMessage', receive: 'newMessage', payload: (text) => ({ text }) },
};

for (const target of targets.filter((t) => t.lesson in chats)) {
  const chat = chats[target.lesson];
  describe(titleOf(target, `under a flood of ${FLOOD} messages`), function () {
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

    it('refuses the flooder beyond the limit, and only the flooder', async () => {
      const [flooder, bystander] = [
        await connect(lesson.url, await target.connectOptions?.(lesson.url, 'Flooder')),
        await connect(lesson.url, await target.connectOptions?.(lesson.url, 'Bystander')),
      ];
      await target.prepare?.(flooder, 'Flooder');
      await target.prepare?.(bystander, 'Bystander');
      await pause(20);
      let delivered = 0;
      bystander.on(chat.receive, (message: { from?: string; text?: string }) => {
        if (String(message?.text).startsWith('flood')) delivered++;
      });

      const started = Date.now();
      const send = (client: Socket, text: string) => client.timeout(2000).emitWithAck(chat.send, chat.payload(text));
      const replies = await Promise.all(Array.from({ length: FLOOD }, (_, i) => send(flooder, `flood ${i}`)));
      const seconds = (Date.now() - started) / 1000;
      const accepted = replies.filter((reply) => reply.ok).length;
      const refused = replies.filter((reply) => !reply.ok);

      expect(accepted).toBeGreaterThanOrEqual(CHAT_RATE_LIMIT.burst);
      expect(accepted).toBeLessThanOrEqual(CHAT_RATE_LIMIT.burst + Math.ceil(seconds * CHAT_RATE_LIMIT.perSecond));
      expect(new Set(refused.map((reply) => reply.error))).toEqual(new Set([RATE_LIMITED]));

      // The bystander chats on at once, and saw exactly the accepted messages.
      expect(await bystander.timeout(QUICK_MS).emitWithAck(chat.send, chat.payload('I am fine'))).toMatchObject({ ok: true });
      // (Waited for, not slept on: through lesson 13's adapter, on a busy machine, the last may take longer than 50 ms.)
      for (const until = Date.now() + 2000; delivered < accepted && Date.now() < until; ) await pause(10);
      expect(delivered).toBe(accepted);

      // Once it slows down, the flooder is heard again.
      await pause(1000 / CHAT_RATE_LIMIT.perSecond + 20);
      expect(await send(flooder, 'sorry, everyone')).toMatchObject({ ok: true });
      expect(watch.errors).toEqual([]);
    });
  });
}
