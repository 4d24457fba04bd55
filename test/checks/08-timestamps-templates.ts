// The checks of lesson 08's exercises (see its README). Most are about the
// page, so they open it in Chromium; time on the page is Playwright's clock.
import type { Locator, Page } from 'playwright-core';
import { BROWSER_ZONE, expectThat, NotYet, show, type Check, type Client, type LessonChecks } from './check';

/** How long to wait for what should come at once: generous, for a busy machine. */
const SOON = 2000;

const WELCOME = 'Welcome to the chat!';

/** Opens the chat and waits for its welcome. */
async function openChat(t: Check, options: Parameters<Check['open']>[1] = {}): Promise<Page> {
  const page = await t.open('/', options);
  await arrived(t, page);
  return page;
}

/** Opens the chat with Playwright's clock in charge of the page's time, its timers included. */
async function openChatWithClock(t: Check): Promise<Page> {
  const page = await t.open('/', {}, (fresh) => fresh.clock.install()); // time still flows; runFor() moves it on at once
  await arrived(t, page);
  return page;
}

async function arrived(t: Check, page: Page): Promise<void> {
  await t.shows(page, WELCOME, 'the chat page', 3000);
}

/** Sends a message from a socket of the check's own; resolves with it as the server sent it. */
async function say(t: Check, client: Client, text: string): Promise<{ from: string; text: string; createdAt: number }> {
  const back = t.next(client, 'newMessage', `the message "${text}" to come back`, (message) => message?.text === text, SOON);
  await t.expectOk(client, 'createMessage', [{ text }], SOON);
  const [message] = await back;
  return message;
}

/** The page's item for the message with `text` in it, once it is shown. */
async function itemFor(page: Page, text: string): Promise<Locator> {
  const item = page.locator('#messages li', { hasText: text }).last();
  try {
    await item.waitFor({ timeout: 2000 });
  } catch {
    throw new NotYet(`the message "${text}" did not show in the list (#messages) within 2 s`);
  }
  return item;
}

/** Text as one line, for sentences. */
const oneLine = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

/** Where the list (#messages) is scrolled. */
function scroll(page: Page): Promise<{ fromBottom: number; overflow: number }> {
  return page.locator('#messages').evaluate((list) => ({
    fromBottom: list.scrollHeight - list.scrollTop - list.clientHeight,
    overflow: list.scrollHeight - list.clientHeight,
  }));
}

/** Scrolls the list and waits a frame, so the page has heard the scroll event. */
async function scrollTo(page: Page, where: 'top' | 'bottom'): Promise<void> {
  await page.locator('#messages').evaluate(async (list, top) => {
    list.scrollTop = top ? 0 : list.scrollHeight;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }, where === 'top');
}

/**
 * Runs `work` with this process's clock `days` back: the lesson runs in the
 * check's process, so the messages its server makes meanwhile are dated then.
 */
async function daysAgo<T>(days: number, work: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() - days * 86_400_000;
  try {
    return await work();
  } finally {
    Date.now = realNow;
  }
}

/**
 * A time zone (Etc/GMT±N) where today's date is not UTC's, and midnight is
 * hours away, so none falls during a check: a page that tells days apart by
 * their UTC date shows the wrong ones there.
 */
function zoneOffUtcDate(): string {
  const hour = new Date().getUTCHours() + new Date().getUTCMinutes() / 60;
  let best = 0;
  let margin = -1;
  for (let offset = -12; offset <= 14; offset++) {
    const local = hour + offset;
    if (local >= 0 && local < 24) continue; // the same date as UTC
    const clock = (local + 24) % 24;
    const fromMidnight = Math.min(clock, 24 - clock);
    if (fromMidnight > margin) [best, margin] = [offset, fromMidnight];
  }
  return best === 0 ? 'Etc/GMT' : `Etc/GMT${best > 0 ? '-' : '+'}${Math.abs(best)}`; // Etc/GMT-5 is UTC+5
}

/** A pattern for a day's date with its month in words, in `zone`: "March 3", "3 Mar", "Tuesday, March 3rd". */
function dateIn(zone: string, time: number): RegExp {
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: zone, ...options }).format(time);
  const month = part({ month: 'long' });
  const day = part({ day: 'numeric' });
  // The day right beside its month: not a number from the time further on ("9:28 am").
  const name = `(${month}|${month.slice(0, 3)})\\.?`;
  return new RegExp(`\\b${name},?\\s+${day}(st|nd|rd|th)?\\b|\\b${day}(st|nd|rd|th)?(\\s+of)?\\s+${name}`, 'i');
}

/** The text of the list between the end of `after` and the start of `before` (both in it). */
function between(list: string, after: string, before: string): string {
  const from = list.indexOf(after);
  const to = list.indexOf(before, from);
  if (from < 0 || to < 0) throw new NotYet(`the list (#messages) does not show "${after}" and then "${before}"`);
  return list.slice(from + after.length, to).replace(/\s+/g, ' ').trim();
}

/**
 * The whole date on hover (a `title` in the message) gives the time it was
 * sent as the reader's clock says it, in the page's time zone: 3:07 or 15:07.
 */
async function hoverHasTime(item: Locator, createdAt: number): Promise<void> {
  const titles = await item.evaluate((li) => [li, ...li.querySelectorAll('*')].map((el) => el.getAttribute('title')).filter(Boolean) as string[]);
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: BROWSER_ZONE, ...options }).formatToParts(createdAt);
  const minute = part({ minute: '2-digit' }).find((p) => p.type === 'minute')!.value.padStart(2, '0');
  const hour12 = part({ hour: 'numeric', hour12: true }).find((p) => p.type === 'hour')!.value;
  const hour24 = part({ hour: '2-digit', hourCycle: 'h23' }).find((p) => p.type === 'hour')!.value;
  const local = new RegExp(`\\b(${Number(hour12)}|0?${Number(hour24)}):${minute}\\b`);
  expectThat(
    titles.some((title) => local.test(title)),
    `on hover the message gives ${titles.length ? titles.map((title) => show(title)).join(', ') : 'no title'}; expected the whole date, with the time it was sent on the reader's clock (${Number(hour12)}:${minute} or ${hour24}:${minute} in the page's time zone, ${BROWSER_ZONE}), not in UTC`,
  );
}

/** A message's bubble: the outermost of its item and what is inside it with a background, and how it looks. */
function bubbleOf(item: Locator): Promise<{ background: string; radius: number; left: number; right: number } | undefined> {
  return item.evaluate((li) => {
    const painted = (element: Element) => {
      const color = getComputedStyle(element).backgroundColor;
      return color !== 'rgba(0, 0, 0, 0)' && color !== 'transparent';
    };
    const bubble = [li, ...li.querySelectorAll('*')].find(painted);
    if (!bubble) return undefined;
    const style = getComputedStyle(bubble);
    const corners = [style.borderTopLeftRadius, style.borderTopRightRadius, style.borderBottomLeftRadius, style.borderBottomRightRadius];
    const box = bubble.getBoundingClientRect();
    return { background: style.backgroundColor, radius: Math.max(...corners.map((corner) => parseFloat(corner) || 0)), left: box.left, right: box.right };
  });
}

const LONG = Array(3).fill('A longer message, so that a few of them fill the list and it has to scroll.').join(' ');

export const checks: LessonChecks = {
  lesson: '08-timestamps-templates',
  explore: {
    '08.4': 'Triple braces',
  },
  exercises: [
    {
      id: '08.1',
      title: 'Minutes ago',
      changes: [
        '08 timestamps and templates (in Chromium) shows both people every message with its time (h:mm a), and locations as safe links',
      ],
      async check(t) {
        const page = await openChatWithClock(t);
        const bob = await t.connect();
        const text = 'Is anyone there?';
        const message = await say(t, bob, text);
        const item = await itemFor(page, text);
        // Ten minutes after the message, by the page's clock, then on a few seconds at a time.
        const pageNow = await page.evaluate(() => Date.now());
        await page.clock.runFor(Math.max(1, Math.ceil(message.createdAt + 10 * 60_000 - pageNow)));
        for (let waited = 0; waited <= 60; waited += 5) {
          if (/\b1[01] minutes ago\b/i.test(await item.innerText())) return hoverHasTime(item, message.createdAt);
          await page.clock.runFor(5000);
        }
        throw new NotYet(
          `10 minutes after it was sent, with nothing new since, the message reads "${await oneLine(item)}"; expected it to say "10 minutes ago"`,
        );
      },
    },
    {
      id: '08.2',
      title: 'New messages below',
      options: { rateLimit: { burst: 100, perSecond: 100 } },
      async check(t) {
        const page = await openChat(t);
        const bob = await t.connect();
        for (let n = 1; n <= 8; n++) await say(t, bob, `${n}. ${LONG}`);
        await itemFor(page, `8. ${LONG.slice(0, 30)}`);
        expectThat((await scroll(page)).overflow > 200, 'eight long messages do not fill the list (#messages): it must scroll for this check');
        // getByRole finds only what is showing: a hidden button is not there for it.
        const button = page.getByRole('button', { name: /new messages/i }).first();
        const shows = async (sentence: string) => {
          try {
            await button.waitFor({ state: 'visible', timeout: SOON });
          } catch {
            throw new NotYet(sentence);
          }
        };
        const goes = async (sentence: string) => {
          try {
            await button.waitFor({ state: 'hidden', timeout: SOON });
          } catch {
            throw new NotYet(sentence);
          }
        };
        expectThat((await button.count()) === 0, 'with the reader at the bottom, a "New messages" button is showing; it should show only while they are scrolled up');

        await scrollTo(page, 'top');
        await itemFor(page, (await say(t, bob, 'Are you still there?')).text);
        await shows('a message came while the list was scrolled to the top, and no button "New messages" showed');
        await button.click();
        try {
          await page.waitForFunction(() => {
            const list = document.querySelector('#messages')!;
            return list.scrollHeight - list.scrollTop - list.clientHeight <= 2;
          }, undefined, { timeout: SOON });
        } catch {
          throw new NotYet(`after a click on "New messages", the list is ${Math.round((await scroll(page)).fromBottom)} px from the bottom; expected it at the bottom`);
        }
        await goes('after a click on "New messages", the list is at the bottom, but the button still shows');

        await scrollTo(page, 'top');
        await itemFor(page, (await say(t, bob, 'Hello?')).text);
        await shows('a second time scrolled to the top, a new message showed no button "New messages"');
        await scrollTo(page, 'bottom');
        await goes('the reader scrolled to the bottom themselves, and the button "New messages" still shows');

        await itemFor(page, (await say(t, bob, 'There you are.')).text);
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
        expectThat((await button.count()) === 0, 'a message came while the reader was at the bottom, and a "New messages" button showed');
      },
    },
    {
      id: '08.3',
      title: 'A line for each day',
      async check(t) {
        const zone = zoneOffUtcDate();
        const page = await openChat(t, { timezoneId: zone });
        const bob = await t.connect();
        await t.shows(page, 'A new user joined', 'the chat page, once another person joined,');
        const old = 'Ten days ago, I said this.';
        const sent = await daysAgo(10, () => say(t, bob, old));
        const today = 'And this I say today.';
        await say(t, bob, today);
        await itemFor(page, today);
        const list = await page.locator('#messages').innerText();

        const todayLine = new RegExp(`\\btoday\\b|${dateIn(zone, Date.now()).source}`, 'i');
        const oldDay = dateIn(zone, sent.createdAt);
        const sameDay = between(list, WELCOME, 'A new user joined');
        expectThat(!todayLine.test(sameDay), `between two messages of today the list shows "${sameDay}"; a date line belongs only where the day changes`);
        const toOld = between(list, 'A new user joined', old);
        const oldName = new Intl.DateTimeFormat('en-US', { timeZone: zone, month: 'long', day: 'numeric' }).format(sent.createdAt);
        expectThat(
          oldDay.test(toOld),
          `between a message of today and one from 10 days ago the list shows "${toOld}"; expected a line with that day's date, its month in words (like "${oldName}"), as the reader's calendar has it (the page runs in the time zone ${zone}, where the date is not UTC's)`,
        );
        const toToday = between(list, old, today);
        expectThat(
          todayLine.test(toToday),
          `between a message from 10 days ago and one of today the list shows "${toToday}"; expected a line saying "Today" or today's date, as the reader's calendar has it (time zone ${zone})`,
        );
      },
    },
    {
      id: '08.5',
      title: 'Links',
      async check(t) {
        const page = await openChat(t);
        const bob = await t.connect();
        const urls = ['https://example.com/a?b=1&c=2', 'http://example.org/path'];
        const text = `see ${urls[0]} or ${urls[1]}`;
        await say(t, bob, text);
        const item = await itemFor(page, 'see https://');
        const hrefs = await item.locator('a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
        expectThat(show(hrefs) === show(urls), `the message "${text}" has links to ${show(hrefs)}; expected links to ${show(urls)}`);
        const reads = await oneLine(item);
        expectThat(reads.includes(text), `the message "${text}" reads "${reads}" on the page; the text must stay as it was sent`);

        const hostile = [
          'javascript:window.pwned=1',
          'javascript:window.pwned=4//https://example.com/',
          '<img src=x onerror="window.pwned=2">',
          'https://example.net/"onmouseover="window.pwned=3',
        ];
        for (const bad of hostile) {
          await say(t, bob, bad);
          const shown = await itemFor(page, bad);
          const read = await oneLine(shown);
          expectThat(read.includes(bad), `the message ${show(bad)} reads "${read}" on the page; it must show as sent, as text`);
          const found = await shown.evaluate((li) => ({
            images: li.querySelectorAll('img, script').length,
            jsLinks: [...li.querySelectorAll('a')].filter((a) => !/^https?:\/\//.test(a.getAttribute('href') ?? '')).length,
            handlers: [...li.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((name) => name.startsWith('on'))),
          }));
          expectThat(found.images === 0, `the message ${show(bad)} became an image or a script on the page; it must stay text`);
          expectThat(found.jsLinks === 0, `the message ${show(bad)} became a link that is not http or https (an address starts with http:// or https://; one that only has it inside is no address)`);
          expectThat(found.handlers.length === 0, `the message ${show(bad)} gave an element the attribute ${found.handlers[0]}; text must stay text`);
        }
        expectThat(!(await page.evaluate(() => 'pwned' in window)), 'a message ran as code on the page');
      },
    },
    {
      id: '08.6',
      title: 'Someone is typing',
      async check(t) {
        // Over sockets: the event and its safety.
        const [ann, bob] = [await t.connect(), await t.connect()];
        const annName = (await say(t, ann, 'hi, I am Ann')).from;
        const annHears = t.record(ann);
        const bobHears = t.next(bob, 'typing', `bob to hear typing with { from: "${annName}" }`, (who) => who?.from === annName, SOON);
        await t.expectOk(ann, 'typing', []);
        await bobHears;
        const again = t.next(bob, 'typing', 'typing without an acknowledgement to reach the others too', (who) => who?.from === annName, SOON);
        ann.emit('typing');
        await again;
        await t.ask(ann, 'createMessage', [{ text: 'a round trip' }]);
        expectThat(!annHears.some(([event]) => event === 'typing'), 'the one who types heard their own "typing"; it is for the others');

        let heard = 0;
        bob.on('typing', () => heard++);
        for (let i = 0; i < 50; i++) ann.emit('typing');
        await t.ask(ann, 'createMessage', [{ text: 'a round trip' }]); // answered once the 50 are handled
        await t.pause(100);
        expectThat(heard <= 20, `of 50 typing sent at once, the others heard ${heard}; rate-limit it (the page needs about one a second)`);
        await t.refusesBadInput(ann, 'typing', {
          good: [],
          bad: [42],
          stillAnswers: async () => {
            const answer = await t.ask(ann, 'createMessage', [{ text: 'still there?' }]);
            expectThat(typeof answer?.ok === 'boolean', `createMessage was answered ${show(answer)}`);
          },
        });

        // On the page: typing sends it, and someone else's shows for a few seconds.
        const page = await openChatWithClock(t);
        const me = (await page.locator('#me').textContent())?.trim() ?? '';
        // From another address than Ann's flood above, so the rate limit (per address too) has room.
        const elsewhere = { localAddress: '127.0.0.3' } as object;
        const cy = await t.connect(undefined, elsewhere);
        const cyName = (await say(t, cy, 'hi, I am Cy')).from;
        const fromPage = t.next(cy, 'typing', `typing in the page's box to send typing with { from: "${me}" }`, (who) => who?.from === me, SOON);
        await page.locator('#input').pressSequentially('Hel');
        await fromPage;
        cy.emit('typing');
        const note = page.getByText(`${cyName} is typing`).filter({ visible: true });
        try {
          await note.first().waitFor({ timeout: SOON });
        } catch {
          throw new NotYet(`another person sent typing, and the page did not show "${cyName} is typing…"`);
        }

        await page.clock.runFor(5000);
        expectThat((await note.count()) === 0, `5 s after the last typing, the page still shows "${cyName} is typing…"`);

        // People type on, a "typing" every 2 s: each one keeps the note up (each typist
        // from an address of its own, for the rate limit).
        const dee = await t.connect(undefined, elsewhere);
        const typists = [4, 5, 6, 7].map((n) => t.connect(undefined, { localAddress: `127.0.0.${n}` } as object));
        const anyNote = page.getByText(/is typing/).filter({ visible: true });
        for (const [i, typist] of (await Promise.all(typists)).entries()) {
          await t.expectOk(typist, 'typing', [], SOON);
          const marker = `marker ${i}`;
          await say(t, dee, marker); // sent after that "typing": once the page shows it, the page has the "typing" too
          await itemFor(page, marker);
          await page.clock.runFor(2000);
          expectThat(
            (await anyNote.count()) > 0,
            `"typing" came every 2 s, and ${2 * (i + 1)} s after the first the page shows no "… is typing"; expected each "typing" to restart the note's timer (clearTimeout, then setTimeout again), while people still type`,
          );
        }
        await page.clock.runFor(5000);
        expectThat((await anyNote.count()) === 0, `5 s after the last typing, the page still shows "… is typing"`);
      },
    },
    {
      id: '08.7',
      title: 'Bubbles',
      async check(t) {
        const page = await openChat(t);
        const bob = await t.connect();
        const theirs = 'Hello from Bob';
        await say(t, bob, theirs);
        const mine = 'And hello from me';
        await page.locator('#input').fill(mine);
        await page.locator('#input').press('Enter');
        const [myBubble, theirBubble, adminBubble] = await Promise.all(
          [mine, theirs, WELCOME].map(async (text) => bubbleOf(await itemFor(page, text))),
        );
        expectThat(myBubble !== undefined, `your own message ("${mine}") has no background: it is not in a bubble`);
        expectThat(theirBubble !== undefined, `someone else's message ("${theirs}") has no background: it is not in a bubble`);
        for (const [whose, bubble] of [['your message', myBubble!], ["someone else's message", theirBubble!]] as const) {
          expectThat(bubble.radius >= 4, `${whose}'s bubble has square corners (border-radius ${bubble.radius}px); round them, 4 px or more`);
        }
        expectThat(
          myBubble!.background !== theirBubble!.background,
          `your message and someone else's are in the same color (${myBubble!.background}): use the mixin with two colors`,
        );
        expectThat(
          myBubble!.left > theirBubble!.left + 1 && myBubble!.right >= theirBubble!.right - 1,
          `your message is not on the right: its bubble spans ${Math.round(myBubble!.left)}-${Math.round(myBubble!.right)} px, someone else's ${Math.round(theirBubble!.left)}-${Math.round(theirBubble!.right)} px`,
        );
        expectThat(adminBubble === undefined, `Admin's welcome has a bubble too (background ${adminBubble?.background}); the server's notices stay as they are`);
      },
    },
  ],
};
