// ALLOWED_ORIGINS, end to end: a page from a listed origin can poll (CORS)
// and open a WebSocket (allowRequest); any other site can do neither.
import { expect } from 'expect';
import { isAllowedOrigin } from '../../shared/origins';
import type { RunningLesson, StartLesson } from '../../shared/run';
import { connect } from '../helpers';

const ELSEWHERE = 'http://elsewhere.example:8080';
const lessons = [
  '01-date-notifier',
  '02-http-server',
  '03-acknowledgements',
  '04-broadcast',
  '05-chat',
  '06-message-generator',
  '07-geolocation',
  '08-timestamps-templates',
  '09-rooms',
  '10-users',
  '11-pi-gpio',
  '12-delivery',
  '13-scale-out',
];
// Lesson 13 starts its primary, which forks one worker here: the worker checks the origin.
const options: Record<string, object> = {
  '11-pi-gpio': { simulate: true, keyboard: false },
  '12-delivery': { dbFile: ':memory:' },
  '13-scale-out': { workers: 1, dbFile: ':memory:' },
};

/** Opens a polling session as a page from `origin` would; returns the CORS header it got back. */
async function poll(url: string, origin: string): Promise<{ status: number; allowOrigin: string | null }> {
  const response = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
  await response.arrayBuffer();
  return { status: response.status, allowOrigin: response.headers.get('access-control-allow-origin') };
}

describe('allowed origins', () => {
  it('isAllowedOrigin: no origin, the same host, a listed origin, or *', () => {
    expect(isAllowedOrigin(undefined, 'localhost:3000', [])).toBe(true);
    expect(isAllowedOrigin('http://localhost:3000', 'localhost:3000', [])).toBe(true);
    expect(isAllowedOrigin('http://localhost:3001', 'localhost:3000', [])).toBe(false);
    expect(isAllowedOrigin(ELSEWHERE, 'localhost:3000', [ELSEWHERE])).toBe(true);
    expect(isAllowedOrigin(ELSEWHERE, 'localhost:3000', ['*'])).toBe(true);
    expect(isAllowedOrigin('null', 'localhost:3000', [])).toBe(false);
  });

  for (const folder of lessons) {
    describe(folder, function () {
      if (folder === '13-scale-out') this.timeout(30_000); // a worker process, loading ts-node, per test
      let lesson: RunningLesson | undefined;
      const saved = process.env.ALLOWED_ORIGINS;
      const startWith = async (allowed: string | undefined) => {
        if (allowed === undefined) delete process.env.ALLOWED_ORIGINS;
        else process.env.ALLOWED_ORIGINS = allowed;
        const start = require(`../../lessons/${folder}/server`).start as StartLesson;
        lesson = await start({ ...options[folder], port: 0 });
        return lesson.url;
      };
      afterEach(async () => {
        if (saved === undefined) delete process.env.ALLOWED_ORIGINS;
        else process.env.ALLOWED_ORIGINS = saved;
        await lesson?.close();
      });

      it('refuses another site by default, polling and WebSocket alike', async () => {
        const url = await startWith(undefined);
        expect((await poll(url, ELSEWHERE)).status).toBe(403);
        await expect(connect(url, { extraHeaders: { origin: ELSEWHERE } })).rejects.toThrow();
      });

      for (const allowed of [ELSEWHERE, '*']) {
        it(`lets a page in with ALLOWED_ORIGINS=${allowed}, polling and WebSocket alike`, async () => {
          const url = await startWith(allowed);
          expect(await poll(url, ELSEWHERE)).toEqual({ status: 200, allowOrigin: ELSEWHERE });
          await connect(url, { extraHeaders: { origin: ELSEWHERE } });
        });
      }
    });
  }
});
