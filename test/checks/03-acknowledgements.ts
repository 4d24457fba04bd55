// The checks of lesson 03's exercises (see its README).
import { call, expectThat, show, type Check, type Client, type LessonChecks } from './check';

/** The lesson's own shout still works: the server is up and answering. */
async function shoutStillWorks(t: Check, client: Client): Promise<void> {
  const reply = await t.ask(client, 'shout', ['still there?']);
  expectThat(reply?.ok === true && reply.text === 'STILL THERE?', `shout("still there?") was answered ${show(reply)}, not { ok: true, text: "STILL THERE?" }`);
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
        await t.expectAnswer(client, 'whisper', ['  HeLLo  '], { ok: true, text: 'hello' });
        // Every alphabet, and whatever is not a letter, is kept: only the case changes.
        const world = '  Ça Va? ПРИВЕТ, ΓΕΙΑ! नमस्ते 你好 42  ';
        const quiet = 'ça va? привет, γεια! नमस्ते 你好 42';
        const reply = await t.ask(client, 'whisper', [world]);
        expectThat(
          reply?.ok === true && reply.text === quiet,
          `${call('whisper', [world])} was answered ${show(reply, 120)}; expected { ok: true, text: ${show(quiet)} }: a whisper keeps every letter of every alphabet (and the rest), only in lower case`,
        );
        await t.expectRefusal(client, 'whisper', ['   '], 'blank text is no text');
        await t.refusesBadInput(client, 'whisper', { good: ['hi'], bad: [42], stillAnswers: () => shoutStillWorks(t, client) });
      },
    },
    {
      id: '03.4',
      title: 'No letters, no shout',
      async check(t) {
        const client = await t.connect();
        await t.expectRefusal(client, 'shout', ['!!!'], '"!!!" has no letter');
        await t.expectRefusal(client, 'shout', ['123 ?'], '"123 ?" has no letter');
        await t.expectAnswer(client, 'shout', ['hi!'], { ok: true, text: 'HI!' });
        await t.expectAnswer(client, 'shout', ['ça va'], { ok: true, text: 'ÇA VA' });
        await t.expectRefusal(client, 'shout', [42], 'a number is not text');
      },
    },
    {
      id: '03.6',
      title: 'Shout a list',
      async check(t) {
        const client = await t.connect();
        await t.expectAnswer(client, 'shoutAll', [['one', ' two ']], { ok: true, texts: ['ONE', 'TWO'] });
        const ten = Array.from({ length: 10 }, (_, i) => `n${i}`);
        await t.expectAnswer(client, 'shoutAll', [ten], { ok: true, texts: ten.map((text) => text.toUpperCase()) });
        await t.expectRefusal(client, 'shoutAll', [[]], 'an empty list has nothing to shout');
        await t.expectRefusal(client, 'shoutAll', [[...ten, 'n10']], 'a list of 11 is over the limit of 10');
        await t.expectRefusal(client, 'shoutAll', [['fine', 42]], 'one of the texts is a number');
        await t.expectRefusal(client, 'shoutAll', [['fine', '  ']], 'one of the texts is blank');
        await t.expectRefusal(client, 'shoutAll', [['x'.repeat(501)]], 'a text of 501 characters is over the limit of 500');
        await t.refusesBadInput(client, 'shoutAll', { good: [['hi']], bad: ['not a list'], stillAnswers: () => shoutStillWorks(t, client) });
      },
    },
  ],
};
