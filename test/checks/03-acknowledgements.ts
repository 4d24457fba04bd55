// The checks of lesson 03's exercises (see its README).
import { call, expectThat, show, type Check, type Client, type LessonChecks } from './check';

/** The lesson's own shout still works: the server is up and answering. */
async function shoutStillWorks(t: Check, client: Client): Promise<void> {
  const reply = await t.ask(client, 'shout', ['still there?']);
  expectThat(reply?.ok === true && reply.text === 'STILL THERE?', `shout("still there?") was answered ${show(reply)}, not { ok: true, text: "STILL THERE?" }`);
}

/** Asks `event(...args)` and expects exactly `want` back. */
async function expectAnswer(t: Check, client: Client, event: string, args: unknown[], want: unknown): Promise<void> {
  const reply = await t.ask(client, event, args);
  expectThat(show(reply) === show(want), `${call(event, args)} was answered ${show(reply)}; expected ${show(want)}`);
}

/** Asks `event(...args)` and expects `{ ok: false, error }`, with any error. */
async function expectRefusal(t: Check, client: Client, event: string, args: unknown[], why: string): Promise<void> {
  const reply = await t.ask(client, event, args);
  expectThat(
    reply?.ok === false && typeof reply.error === 'string' && reply.error.length > 0,
    `${call(event, args)} was answered ${show(reply)}; ${why}, so it should be refused with { ok: false, error: "…" }`,
  );
}

export const checks: LessonChecks = {
  lesson: '03-acknowledgements',
  explore: {
    '03.1': 'See a server die',
    '03.3': 'A slow server',
    '03.5': 'Answer twice',
  },
  exercises: [
    {
      id: '03.2',
      title: 'Whisper',
      async check(t) {
        const client = await t.connect();
        await expectAnswer(t, client, 'whisper', ['  HeLLo  '], { ok: true, text: 'hello' });
        await expectRefusal(t, client, 'whisper', ['   '], 'blank text is no text');
        await t.refusesBadInput(client, 'whisper', { good: ['hi'], bad: [42], stillAnswers: () => shoutStillWorks(t, client) });
      },
    },
    {
      id: '03.4',
      title: 'No letters, no shout',
      async check(t) {
        const client = await t.connect();
        await expectRefusal(t, client, 'shout', ['!!!'], '"!!!" has no letter');
        await expectRefusal(t, client, 'shout', ['123 ?'], '"123 ?" has no letter');
        await expectAnswer(t, client, 'shout', ['hi!'], { ok: true, text: 'HI!' });
        await expectAnswer(t, client, 'shout', ['ça va'], { ok: true, text: 'ÇA VA' });
        await expectRefusal(t, client, 'shout', [42], 'a number is not text');
      },
    },
    {
      id: '03.6',
      title: 'Shout a list',
      async check(t) {
        const client = await t.connect();
        await expectAnswer(t, client, 'shoutAll', [['one', ' two ']], { ok: true, texts: ['ONE', 'TWO'] });
        const ten = Array.from({ length: 10 }, (_, i) => `n${i}`);
        await expectAnswer(t, client, 'shoutAll', [ten], { ok: true, texts: ten.map((text) => text.toUpperCase()) });
        await expectRefusal(t, client, 'shoutAll', [[]], 'an empty list has nothing to shout');
        await expectRefusal(t, client, 'shoutAll', [[...ten, 'n10']], 'a list of 11 is over the limit of 10');
        await expectRefusal(t, client, 'shoutAll', [['fine', 42]], 'one of the texts is a number');
        await expectRefusal(t, client, 'shoutAll', [['fine', '  ']], 'one of the texts is blank');
        await expectRefusal(t, client, 'shoutAll', [['x'.repeat(501)]], 'a text of 501 characters is over the limit of 500');
        await t.refusesBadInput(client, 'shoutAll', { good: [['hi']], bad: ['not a list'], stillAnswers: () => shoutStillWorks(t, client) });
      },
    },
  ],
};
