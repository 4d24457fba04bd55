// Lesson 03: acknowledgements.
// A client shouts some text and the server answers it, through the
// acknowledgement (callback) the client sent along: `{ ok: true, text }` in
// capitals, or `{ ok: false, error }` when the request is no good.
import { lessonServer } from '../../shared/lesson-server';
import { runFromCommandLine, type RunningLesson } from '../../shared/run';
import { settings, type StartOptions } from '../../shared/settings';
import { checkOne, checkText, refuseUnknownEvents, takeAck } from '../../shared/validation';
import type { ClientToServerEvents, ServerToClientEvents, ShoutReply } from './events';

export async function start(options: StartOptions = {}): Promise<RunningLesson> {
  const { port } = settings(options);
  // Lesson 02's server, with lesson 01's Origin check, in one call: see shared/lesson-server.ts.
  const { io, listen } = lessonServer<ClientToServerEvents, ServerToClientEvents>(__dirname, {
    // A shout is at most 500 characters: 4 KB is plenty, even in emoji.
    // A bigger message closes the sender's connection.
    maxHttpBufferSize: 4_000,
  });

  io.on('connection', (socket) => {
    console.log(`client ${socket.id} connected`);

    // The types say shout(text: string, ack: function). That is a promise
    // about a well-behaved client, not a fact: anything can arrive. So the
    // handler takes unknown[] and checks every piece before using it.
    socket.on('shout', (...args: unknown[]) => {
      // 1. The acknowledgement, if the client sent one, is the last argument
      //    and a function. takeAck splits it from the rest (the payload).
      const { payload, ack } = takeAck<ShoutReply>(args);

      // 2. The payload must be exactly one argument: a string with something
      //    in it, at most 500 characters. Trimmed if it is good.
      const text = checkOne(payload, (value) => checkText(value, 'text'));

      // 3. A bad request gets an error answer. With no acknowledgement there
      //    is no one to answer: drop it.
      if (!text.ok) {
        ack?.({ ok: false, error: text.error });
        return;
      }

      // 4. A good request gets the result. `text.value` is a checked string now.
      ack?.({ ok: true, text: text.value.toUpperCase() });
    });

    // Any other event is answered with an error, not left hanging.
    refuseUnknownEvents(socket);
    socket.on('disconnect', (reason) => console.log(`client ${socket.id} left (${reason})`));
  });

  return listen(port); // as lesson 02 does: close() ends every socket and the HTTP server
}

if (require.main === module) runFromCommandLine(start);
