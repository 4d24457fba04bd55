import { expect } from 'expect';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { listen } from '../../shared/run';
import { refuseUnknownEvents } from '../../shared/validation';
import { connect, emitRaw } from '../helpers';

describe('refuseUnknownEvents', () => {
  let io: Server;
  let url: string;

  before(async () => {
    const httpServer = createServer();
    io = new Server(httpServer);
    io.on('connection', (socket) => {
      refuseUnknownEvents(socket); // called first on purpose: it asks at event time
      socket.on('nickname', (name: unknown, ack: (reply: unknown) => void) => ack({ ok: true, name }));
    });
    url = await listen(httpServer, 0);
  });
  after(() => io.close());

  it('answers an event with no listener with an error', async () => {
    const client = await connect(url);
    await expect(emitRaw(client, 'nicknme', ['Ada'])).resolves.toEqual({ ok: false, error: 'unknown event "nicknme"' });
    await expect(emitRaw(client, 'constructor', [])).resolves.toEqual({ ok: false, error: 'unknown event "constructor"' });
  });

  it('leaves an event with a listener to it, wherever that listener was added', async () => {
    const client = await connect(url);
    await expect(emitRaw(client, 'nickname', ['Ada'])).resolves.toEqual({ ok: true, name: 'Ada' });
  });

  it('stays silent when the client asked for no answer', async () => {
    const client = await connect(url);
    await emitRaw(client, 'nope', [1], false);
    await expect(emitRaw(client, 'nickname', ['still here'])).resolves.toEqual({ ok: true, name: 'still here' });
  });
});
