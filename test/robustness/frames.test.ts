// 2. Raw Engine.IO / Socket.IO frames over a plain WebSocket: what a client
// that skips socket.io-client can send. "4" is an Engine.IO message; "42" a
// Socket.IO event, "45" an event with binary attachments, "43" an ack.
import { expect } from 'expect';
import type { Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { RunningLesson } from '../../shared/run';
import { connect, pause } from '../helpers';
import { huge } from './payloads';
import { targets, titleOf } from './targets';
import { catchProcessErrors, QUICK_MS, recordEvents, settle, snapshot } from './watch';

/** Opens a raw WebSocket and does the Engine.IO and Socket.IO handshakes by hand (`headers`: lesson 14's cookie). */
async function rawClient(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
  const open = await next(); // 0{"sid":...}
  if (!open.startsWith('0')) throw new Error(`expected an Engine.IO open packet, got ${open}`);
  ws.send('40'); // connect to the main namespace
  const connected = await next(); // 40{"sid":...}
  if (!connected.startsWith('40')) throw new Error(`expected a Socket.IO connect packet, got ${connected}`);
  return { ws, closed };
}

const FRAMES: Array<[string, string | Array<string | Buffer>]> = [
  ['invalid JSON', '42["shout", {'],
  ['an event named error', '42["error","boom"]'],
  ['an event named connect', '42["connect"]'],
  ['an event named disconnect', '42["disconnect","x"]'],
  ['an event named disconnecting', '42["disconnecting"]'],
  ['an event named newListener', '42["newListener","x"]'],
  ['an event name that is a number', '42[42,"x"]'],
  ['an event name that is an object', '42[{"a":1},"x"]'],
  ['an event name that is null', '42[null]'],
  ['an empty event', '42[]'],
  ['an event that is not an array', '42{"a":1}'],
  ['an ack for nothing', '431[{"ok":true}]'],
  ['a binary placeholder with no attachment', '451-["createMessage",{"_placeholder":true,"num":0}]'],
  ['a placeholder pointing past its attachments', ['451-["createMessage",{"_placeholder":true,"num":7}]', Buffer.from('x')]],
  ['a negative attachment count', '45-1-["x"]'],
  ['an unknown packet type', '49["x"]'],
  ['a connect to an unknown namespace', '40/admin,'],
  ['an Engine.IO upgrade mid-stream', '5'],
  ['garbage', '\u0000\uffff not a packet'],
];

for (const target of targets) {
  describe(titleOf(target, 'survives raw frames'), () => {
    let lesson: RunningLesson;
    let bystander: Socket;
    let seen: Array<[string, unknown[]]>;
    let watch: ReturnType<typeof catchProcessErrors>;
    let start0: ReturnType<typeof snapshot>;
    let headers: Record<string, string> | undefined;

    before(async () => {
      watch = catchProcessErrors();
      lesson = await target.start()({ ...target.options, port: 0 });
      headers = ((await target.connectOptions?.(lesson.url, 'Raw')) as { extraHeaders?: Record<string, string> } | undefined)?.extraHeaders;
      bystander = await connect(lesson.url, await target.connectOptions?.(lesson.url, 'Bystander'), { keep: true });
      await target.prepare?.(bystander, 'Bystander');
      start0 = snapshot(lesson);
      // Each raw client is a newcomer: its arrival notice is expected.
      seen = recordEvents(bystander, target.ambient, target.isArrival);
    });

    after(async () => {
      bystander?.close();
      await lesson?.close();
      watch?.stop();
    });

    it(`takes ${FRAMES.length} malformed and reserved frames without a crash or a leak`, async () => {
      for (const [, frame] of FRAMES) {
        const { ws, closed } = await rawClient(lesson.url, headers);
        for (const part of Array.isArray(frame) ? frame : [frame]) ws.send(part);
        await pause(20);
        ws.terminate();
        await closed;
      }
      await pause(50);
      expect(watch.errors).toEqual([]);
      expect(seen).toEqual([]);
      expect(bystander.connected).toBe(true);
      await target.probe(bystander, QUICK_MS);
    });

    it('ends only the connection that sends a frame over maxHttpBufferSize', async () => {
      const { ws, closed } = await rawClient(lesson.url, headers);
      ws.send(`42["createMessage",{"text":"${huge()}"}]`);
      expect(await Promise.race([closed, pause(2000).then(() => 'still open')])).toBe(1009); // "message too big"
      expect(bystander.connected).toBe(true);
      await target.probe(bystander, QUICK_MS);
    });

    it('leaves nothing behind', async () => {
      expect(await settle(lesson, start0)).toEqual({});
    });
  });
}
