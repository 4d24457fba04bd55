// Lesson 04: broadcasting.
// A client speaks to an audience (`me`, `everyone` or `others`) and the
// server passes the message on to exactly that audience, with one of
// socket.emit, io.emit and socket.broadcast.emit.
import { lessonServer } from '../../shared/lesson-server';
import { RATE_LIMITED, ClientRateLimiter } from '../../shared/rate-limit';
import { runFromCommandLine, type RunningLesson } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { checkFields, checkOne, checkText, refuseUnknownEvents, takeAck, type Checked, type Reply } from '../../shared/validation';
import { AUDIENCES, type Audience, type ClientToServerEvents, type ServerToClientEvents, type Speech } from './events';

export async function start(options: StartOptions = {}): Promise<RunningLesson> {
  const { port, rateLimit } = settings(options);
  // Lessons 01-03 in one call: the server, the Origin check, a 4 KB largest
  // message, and limitEachClient, the per-address limits this README explains.
  const { io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname);
  // A message to everyone reaches everyone: one client may not flood them.
  const limiter = new ClientRateLimiter(rateLimit);

  io.on('connection', (socket) => {
    // A socket id is long and random; its first 6 characters make a good enough name.
    const from = socket.id.slice(0, 6);
    console.log(`${from} connected`);

    socket.on('speak', (...args: unknown[]) => {
      const { payload, ack } = takeAck<Reply>(args);
      const speech = checkOne(payload, checkSpeech);
      if (!speech.ok) {
        ack?.({ ok: false, error: speech.error });
        return;
      }
      if (!limiter.take(socket)) {
        ack?.({ ok: false, error: RATE_LIMITED });
        return;
      }
      const message = { from, text: speech.value.text };
      switch (speech.value.to) {
        case 'me': // this client only
          socket.emit('incoming-message', message);
          break;
        case 'everyone': // every client, the sender included
          io.emit('incoming-message', message);
          break;
        case 'others': // every client except the sender
          socket.broadcast.emit('incoming-message', message);
          break;
      }
      ack?.({ ok: true });
    });

    socket.on('disconnect', () => {
      console.log(`${from} left`);
      limiter.forget(socket);
    });
    refuseUnknownEvents(socket); // lesson 03
  });

  return listen(port); // lesson 02
}

const isAudience = (value: unknown): value is Audience => AUDIENCES.some((audience) => audience === value);

/** Checks `{ text, to }`: real text, and one of the three audiences. No other fields. */
function checkSpeech(value: unknown): Checked<Speech> {
  const object = checkFields(value, ['text', 'to']);
  if (!object.ok) return object;
  const text = checkText(object.value.text);
  if (!text.ok) return text;
  const to = object.value.to;
  if (!isAudience(to)) return { ok: false, error: `to must be one of ${AUDIENCES.map((name) => `"${name}"`).join(', ')}` };
  return { ok: true, value: { text: text.value, to } };
}

if (require.main === module) runFromCommandLine(start);
