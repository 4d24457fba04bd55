// The checks of lesson 03's exercises (see its README).
import { call, expectThat, matches, show, timeFactor, type Check, type Client, type LessonChecks } from './check';

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
        // Bad text as shout refuses it: over 500 characters, or with a control character.
        await t.expectRefusal(client, 'whisper', ['x'.repeat(501)], 'a text of 501 characters is over the limit of 500, as shout refuses it');
        await t.expectRefusal(client, 'whisper', ['ding\u0007'], 'a control character (U+0007, the bell) is refused as shout refuses it');
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
        // A letter is a letter in any alphabet, with case or without.
        for (const [text, loud] of [['ça va', 'ÇA VA'], ['привет!', 'ПРИВЕТ!'], ['你好!', '你好!'], ['नमस्ते', 'नमस्ते']]) {
          const reply = await t.ask(client, 'shout', [text]);
          expectThat(
            reply?.ok === true && reply.text === loud,
            `${call('shout', [text])} was answered ${show(reply)}; expected { ok: true, text: ${show(loud)} }: letters of every alphabet count, not only a to z (a letter is \\p{L})`,
          );
        }
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
        // Ten texts of 500 characters are a good request, in any alphabet: 500 Chinese characters are 1500 bytes in UTF-8.
        const longest = Array.from({ length: 10 }, (_, i) => `${i}${'字'.repeat(499)}`);
        const reply = await client.timeout(2000 * timeFactor).emitWithAck('shoutAll', longest).catch(() => undefined);
        expectThat(
          client.connected,
          'shoutAll with 10 texts of 500 Chinese characters (15 KB in UTF-8) closed the connection: that is a good request, so the lesson\'s message limit (maxHttpBufferSize) must make room for it',
        );
        expectThat(
          reply?.ok === true && matches(reply.texts, longest),
          `shoutAll with 10 texts of 500 Chinese characters was answered ${show(reply)}; expected { ok: true, texts } with the 10 texts`,
        );
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
