// 8. Lesson 14's doors: the handshake with no session, a forged or an ended
// one; a student who calls the instructor's events; a flood of sign-ins;
// form bodies too big or malformed. None may crash the server, get anyone
// in, reach a bystander, or slow the chat down.
import { expect } from 'expect';
import { FOR_INSTRUCTOR } from '../../lessons/14-sign-in/instructor';
import { SCRYPT_COST } from '../../lessons/14-sign-in/passwords';
import { SIGN_IN_FIRST, start } from '../../lessons/14-sign-in/server';
import type { RunningLesson } from '../../shared/run';
import { errorLines, leaks, pause } from '../helpers';
import { connectWith, freshName, postForm, signIn, signUp, type Client } from '../lessons/sign-in-clients';
import { targets, titleOf } from './targets';
import { catchProcessErrors, QUICK_MS, quiet, recordEvents, settle, snapshot } from './watch';

for (const target of targets.filter((t) => t.lesson === '14-sign-in')) {
  describe(titleOf(target, 'its doors: handshakes, roles, sign-ins, forms'), function () {
    this.timeout(60_000);
    let lesson: RunningLesson;
    let bystander: Client;
    let seen: Array<[string, unknown[]]>;
    let watch: ReturnType<typeof catchProcessErrors>;
    let before0: ReturnType<typeof snapshot>;

    before(async () => {
      watch = catchProcessErrors();
      lesson = await start({ ...target.options, passwordCost: SCRYPT_COST, port: 0 }); // the flood meets the shipped cost
      bystander = await connectWith(lesson.url, await signUp(lesson.url, freshName('Bystander')), { keep: true });
      await target.prepare!(bystander, 'Bystander');
      await quiet(bystander, target.ambient); // her welcome, and the user list
      before0 = snapshot(lesson);
      // Her own probes ("still there?") come back to her: not a leak.
      seen = recordEvents(bystander, target.ambient, (event, [message]) => event === 'newMessage' && (message as { text?: string })?.text === 'still there?');
    });
    after(async () => {
      bystander?.close();
      await lesson?.close();
      watch?.stop();
    });

    it('refuses a handshake with no cookie, a forged one, a signed-out one and an expired one, on both transports', async () => {
      const signedOut = await signUp(lesson.url, freshName('Gone'));
      await postForm(lesson.url, '/signout', '', { cookie: signedOut });
      const cookies = [undefined, 'sid=s%3Anot-a-session.forged', 'sid=garbage', `${signedOut}x`, signedOut, 'sid=' + 'x'.repeat(3000)];
      const refusals = async (url: string, cookie: string | undefined) => {
        for (const polling of [false, true]) {
          const refused = await connectWith(url, cookie, { polling }).then(
            (client) => (client.close(), 'let in'),
            (err: Error) => err.message,
          );
          expect({ cookie: cookie?.slice(0, 40), polling, refused }).toEqual({ cookie: cookie?.slice(0, 40), polling, refused: SIGN_IN_FIRST });
        }
      };
      for (const cookie of cookies) await refusals(lesson.url, cookie);
      // An expired session: on a lesson whose sessions end after 1 s idle.
      const brief = await start({ ...target.options, sessionIdleMs: 1000, port: 0 });
      try {
        const expired = await signUp(brief.url, freshName('Idle'));
        await pause(2200); // past 1 s idle, and the purge that runs every second
        await refusals(brief.url, expired);
      } finally {
        await brief.close();
      }
      await target.probe(bystander, QUICK_MS);
    });

    it("refuses a student every instructor's event, and nobody hears of it", async () => {
      const student = await connectWith(lesson.url, await signUp(lesson.url, freshName('Student')));
      await target.prepare!(student, 'Student');
      await quiet(bystander, target.ambient);
      seen.splice(0); // the student's arrival
      for (const [event, payload] of [
        ['mute', { room: 'Robust', name: 'Teacher' }],
        ['unmute', { room: 'Robust', name: 'Teacher' }],
        ['remove', { room: 'Robust', name: 'Teacher', minutes: 1440 }],
        ['closeRoom', { room: 'Robust' }],
        ['mute', 'not even an object'],
      ] as const) {
        await expect(student.timeout(1000).emitWithAck(event as 'closeRoom', payload as { room: string })).resolves.toEqual({ ok: false, error: FOR_INSTRUCTOR });
      }
      await pause(100);
      expect(seen).toEqual([]);
      student.close();
      await pause(300);
      seen.splice(0); // "has left"
      await target.probe(bystander, QUICK_MS);
    });

    it('answers form bodies that are too big, malformed or of another type with a short 4xx, and signs nobody in', async () => {
      const name = freshName('Form');
      await signUp(lesson.url, name);
      const bodies: Array<[string, string, string?]> = [
        ['a body of 100 KB', `name=${name}&password=${'x'.repeat(100_000)}`],
        ['200 fields', Array.from({ length: 200 }, (_, i) => `f${i}=1`).join('&')],
        ['a field twice', `name=${name}&name=${name}&password=correct%20horse%20battery`],
        ['bad percent-encoding', 'name=%E0%A4%A&password=%ZZ'],
        ['JSON', JSON.stringify({ name, password: 'correct horse battery' }), 'application/json'],
        ['multipart', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nA\r\n--x--', 'multipart/form-data; boundary=x'],
        ['no fields', ''],
        ['a prototype key', '__proto__=1&constructor=2&name=x&password=short'],
      ];
      const logged = await errorLines(async () => {
        for (const path of ['/signin', '/signup']) {
          for (const [label, body, type] of bodies) {
            const answer = await postForm(lesson.url, path, body, type ? { type } : {});
            expect({ path, label, status: answer.status >= 400 && answer.status < 500, cookie: answer.cookie }).toEqual({ path, label, status: true, cookie: undefined });
            // A form page is HTML on purpose; neither it nor a plain answer shows a path or a stack.
            const shown = answer.body.includes('<form') ? answer.body.replace(/<[^>]*>|\bat (least|most|once)\b/g, '') : answer.body;
            expect({ label, leaks: leaks(shown) }).toEqual({ label, leaks: [] });
          }
        }
      });
      expect(new Set(logged).size).toBe(logged.length); // one line for each kind of error, at most
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      await expect(signIn(lesson.url, name)).resolves.toMatch(/^sid=/); // the account still works
    });

    it('answers a flood of 300 sign-ins at once with 401 then 429, hashing no more than the limit, while the chat answers quickly', async () => {
      const started = Date.now();
      // 30 at a time: one address may hold 50 TCP connections (shared/clients.ts), and the flood is not about those.
      const answers: Awaited<ReturnType<typeof postForm>>[] = [];
      for (let batch = 0; batch < 10; batch++) {
        answers.push(
          ...(await Promise.all(
            Array.from({ length: 30 }, (_, i) => postForm(lesson.url, '/signin', { name: `Flood ${batch * 30 + i}`, password: 'wrong password' })),
          )),
        );
      }
      const statuses = answers.map((answer) => answer.status);
      const counts = Object.fromEntries([...new Set(statuses)].map((status) => [status, statuses.filter((s) => s === status).length]));
      // One address: at most 20 failures are heard (and hashed) in 15 minutes; the rest are refused at once.
      expect(Object.keys(counts).sort()).toEqual(['401', '429']);
      expect(counts[401]).toBeLessThanOrEqual(20);
      expect(answers.filter((answer) => answer.status === 429).every((answer) => Number(answer.retryAfter) > 0)).toBe(true);
      const probeStarted = Date.now();
      await target.probe(bystander, QUICK_MS);
      expect(Date.now() - probeStarted).toBeLessThan(QUICK_MS);
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    it('afterwards: no crash, no leak, nothing left behind', async () => {
      await pause(50);
      expect(seen).toEqual([]);
      expect(watch.errors).toEqual([]);
      expect(await settle(lesson, before0)).toEqual({});
    });
  });
}
