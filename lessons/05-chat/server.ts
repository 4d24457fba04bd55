// Lesson 05: the classic chat.
// A page with a form sends `chat message`; the server passes it on to every
// connected client with io.emit, the sender included.
import { checkedAckOptional } from '../../shared/handler';
import { lessonServer } from '../../shared/lesson-server';
import { ClientRateLimiter } from '../../shared/rate-limit';
import { runFromCommandLine, type RunningLesson } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { checkText, refuseUnknownEvents } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export async function start(options: StartOptions = {}): Promise<RunningLesson> {
  const { port, rateLimit } = settings(options);
  const { io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname); // lessons 01-02
  const limiter = new ClientRateLimiter(rateLimit); // lesson 04

  io.on('connection', (socket) => {
    // A socket id is long and random; its first 6 characters make a good enough name.
    const from = socket.id.slice(0, 6);
    console.log(`${from} connected`);

    // Checked as in lessons 03 and 04: the text, then the rate limit. The acknowledgement is optional.
    socket.on('chat message', checkedAckOptional(checkText, limiter.of(socket), (text, ack) => {
      console.log(`${from}: ${JSON.stringify(text)}`);
      // io.emit: to every connected client, the sender included.
      io.emit('chat message', { from, text });
      ack?.({ ok: true });
    }));

    socket.on('disconnect', () => console.log(`${from} left`));
    refuseUnknownEvents(socket); // lesson 03
  });

  return listen(port); // lesson 02
}

if (require.main === module) runFromCommandLine(start);
