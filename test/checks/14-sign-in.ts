// The checks of lesson 14's exercises (see its README).
import { call, expectThat, show, timeFactor, type Check, type Client, type LessonChecks } from './check';
import { getPage, PASSWORD, postForm, ROOMY, signIn, signUp, TEACHER } from '../lessons/sign-in-clients';

/** In memory, with room for the check's sign-ups: your data/sign-in.db is left alone. */
const options = ROOMY;

/** A client of `t` carrying a session cookie. */
async function tab(t: Check, cookie: string, as: string): Promise<Client> {
  return t.connect(() => {}, { as, extraHeaders: { cookie } });
}

/** Resolves with true once `client` is disconnected (at once if it is already), or false after `ms`. */
function disconnectedWithin(client: Client, ms: number): Promise<boolean> {
  if (!client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('disconnect', () => (clearTimeout(timer), resolve(true)));
  });
}

/** The status GET / answers with this cookie: 200 signed in, 303 not. */
const chatStatus = async (url: string, cookie: string) => (await getPage(url, '/', cookie)).status;

export const checks: LessonChecks = {
  lesson: '14-sign-in',
  explore: {
    '14.4': 'Look at the sessions',
  },
  exercises: [
    {
      id: '14.1',
      title: 'Sign out everywhere',
      options,
      async check(t) {
        const { url } = await t.lesson();
        const first = await signUp(url, 'Ann');
        const second = await signIn(url, 'Ann', PASSWORD);
        const bobCookie = await signUp(url, 'Bob');
        const [annA, annB, bob] = [await tab(t, first, 'Ann (first browser)'), await tab(t, second, 'Ann (second browser)'), await tab(t, bobCookie, 'Bob')];

        const forged = await postForm(url, '/signout-everywhere', '', { cookie: first, origin: 'https://elsewhere.example' });
        expectThat(forged.status === 403, `POST /signout-everywhere from another site's page (Origin https://elsewhere.example) answered ${forged.status}; expected 403`);
        const nobody = await postForm(url, '/signout-everywhere', '');
        expectThat(nobody.status < 500, `POST /signout-everywhere without a session answered ${nobody.status}; expected no error`);
        await t.pause(200);
        expectThat(annA.connected && annB.connected && (await chatStatus(url, second)) === 200, 'a POST /signout-everywhere from another site, or without a session, signed Ann out; it must end nothing');

        const answer = await postForm(url, '/signout-everywhere', '', { cookie: first });
        const goneA = disconnectedWithin(annA, 1000 * timeFactor);
        const goneB = disconnectedWithin(annB, 1000 * timeFactor);
        expectThat(
          answer.status === 303 && answer.location === '/signin',
          `POST /signout-everywhere with Ann's cookie answered ${answer.status}${answer.location ? ` to ${answer.location}` : ''}; expected 303 to /signin`,
        );
        expectThat(await goneA, "after POST /signout-everywhere, Ann's socket of that browser was still connected a second later");
        expectThat(await goneB, "after POST /signout-everywhere, Ann's socket in her other browser (her other session) was still connected a second later");
        for (const [cookie, which] of [[first, "the cookie of Ann's browser that signed out"], [second, "the cookie of Ann's other browser"]] as const) {
          const status = await chatStatus(url, cookie);
          expectThat(status === 303, `after POST /signout-everywhere, GET / with ${which} answered ${status}; expected 303 (signed out)`);
        }
        await t.pause(100);
        expectThat(bob.connected, "Ann signed out everywhere, and Bob's socket was disconnected: only Ann's sessions end");
        expectThat((await chatStatus(url, bobCookie)) === 200, "Ann signed out everywhere, and Bob's cookie no longer opens the chat: only Ann's sessions end");
      },
    },
    {
      id: '14.2',
      title: 'Change your password',
      options,
      async check(t) {
        const { url } = await t.lesson();
        const here = await signUp(url, 'Ann');
        const elsewhere = await signIn(url, 'Ann', PASSWORD);
        const bobCookie = await signUp(url, 'Bob');
        const [annHere, annElsewhere, bob] = [await tab(t, here, 'Ann (this browser)'), await tab(t, elsewhere, 'Ann (another browser)'), await tab(t, bobCookie, 'Bob')];
        const NEW = 'a brand new passphrase';

        const wrong = await postForm(url, '/password', { current: 'not my password', password: NEW }, { cookie: here });
        expectThat(wrong.status === 401, `POST /password with a wrong current password answered ${wrong.status}; expected 401`);
        const short = await postForm(url, '/password', { current: PASSWORD, password: 'seven77' }, { cookie: here });
        expectThat(short.status === 400, `POST /password with a new password of 7 characters answered ${short.status}; expected 400`);
        const forged = await postForm(url, '/password', { current: PASSWORD, password: NEW }, { cookie: here, origin: 'https://elsewhere.example' });
        expectThat(forged.status === 403, `POST /password from another site's page answered ${forged.status}; expected 403`);
        await t.pause(100);
        expectThat(annElsewhere.connected && annHere.connected, 'a refused POST /password ended a session of Ann; it must change nothing');
        const still = await postForm(url, '/signin', { name: 'Ann', password: PASSWORD });
        expectThat(still.status === 303, `after the refused POST /password requests, Ann's password no longer signs her in (answered ${still.status}); they must change nothing`);

        const changed = await postForm(url, '/password', { current: PASSWORD, password: NEW }, { cookie: here });
        const gone = disconnectedWithin(annElsewhere, 1000 * timeFactor); // a second from the answer (hashing takes its time)
        expectThat(changed.status === 303 && changed.location === '/', `POST /password with the right current password answered ${changed.status}${changed.location ? ` to ${changed.location}` : ''}; expected 303 to /`);
        expectThat(await gone, "Ann changed her password, and her socket in her other browser was still connected a second later: her other sessions must end");
        const otherStatus = await chatStatus(url, elsewhere);
        expectThat(otherStatus === 303, `Ann changed her password, and her other browser's cookie still opens the chat (answered ${otherStatus}); expected 303`);
        const cookieNow = changed.cookie ?? here; // a new session id is fine
        const hereStatus = await chatStatus(url, cookieNow);
        expectThat(hereStatus === 200, `Ann changed her password, and the browser she did it in no longer opens the chat (answered ${hereStatus}); it stays signed in`);
        const oldOne = await postForm(url, '/signin', { name: 'Ann', password: PASSWORD });
        expectThat(oldOne.status === 401, `after the change, Ann's old password answered ${oldOne.status} at sign-in; expected 401`);
        const newOne = await postForm(url, '/signin', { name: 'Ann', password: NEW });
        expectThat(newOne.status === 303, `after the change, Ann's new password answered ${newOne.status} at sign-in; expected 303`);
        await t.pause(100);
        expectThat(bob.connected && (await chatStatus(url, bobCookie)) === 200, "Ann changed her password, and Bob was signed out: only Ann's other sessions end");
        const bobIn = await postForm(url, '/signin', { name: 'Bob', password: PASSWORD });
        expectThat(bobIn.status === 303, `Ann changed her password, and Bob's no longer works (answered ${bobIn.status})`);
      },
    },
    {
      id: '14.3',
      title: 'An announcement',
      options,
      async check(t) {
        const { url } = await t.lesson();
        const teacher = await tab(t, await signIn(url, TEACHER.name, TEACHER.password), 'the instructor');
        const [ann, bob, cy] = [await tab(t, await signUp(url, 'Ann'), 'Ann'), await tab(t, await signUp(url, 'Bob'), 'Bob'), await tab(t, await signUp(url, 'Cy'), 'Cy')];
        const loner = await tab(t, await signUp(url, 'Dee'), 'Dee (in no room)');
        await t.expectOk(ann, 'join', [{ room: 'Lobby' }]);
        await t.expectOk(bob, 'join', [{ room: 'Lobby' }]);
        await t.expectOk(cy, 'join', [{ room: 'Kitchen' }]);
        await t.settle();

        let marks = t.marks();
        await t.expectRefusal(ann, 'announce', [{ text: 'I am the teacher now' }], 'Ann is a student');
        for (const [payload, why] of [
          [{ text: '   ' }, 'the text is blank'],
          [{ text: 'x'.repeat(501) }, 'the text is over 500 characters'],
          [{ text: 'hi', room: 'Lobby' }, 'the payload has a field besides text'],
          ['hi', 'the payload is a string, not { text }'],
        ] as const) {
          await t.expectRefusal(teacher, 'announce', [payload], why);
        }
        await t.expectAudience('newMessage', 'an announcement', (m) => m?.from === 'Admin', [], marks);

        marks = t.marks();
        const reply = await t.ask(teacher, 'announce', [{ text: 'Break in 5 minutes' }]);
        expectThat(reply?.ok === true, `the instructor's ${call('announce', [{ text: 'Break in 5 minutes' }])} was answered ${show(reply)}; expected { ok: true }`);
        await t.expectAudience(
          'newMessage',
          'the announcement "Break in 5 minutes" from Admin',
          (m) => m?.from === 'Admin' && typeof m?.text === 'string' && m.text.includes('Break in 5 minutes'),
          [ann, bob, cy],
          marks,
        );
        const copies = t.seen(ann).slice(marks.get(ann)).filter(([event, m]) => event === 'newMessage' && String((m as { text?: string })?.text).includes('Break in 5 minutes'));
        expectThat(copies.length === 1, `Ann got the announcement ${copies.length} times; expected once`);
        void loner;
      },
    },
  ],
};
