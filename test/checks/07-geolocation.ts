// The checks of lesson 07's exercises (see its README).
import type { BrowserContextOptions, Page } from 'playwright-core';
import { call, expectThat, handled, NotYet, show, timeFactor, type Check, type Client, type LessonChecks } from './check';

/** A browser that knows where it is, and may tell the page. */
const at = (latitude: number, longitude: number): BrowserContextOptions => ({ geolocation: { latitude, longitude }, permissions: ['geolocation'] });

/** Clicks the button called `name` on `page`; fails if there is none. */
async function click(page: Page, name: string, who: string): Promise<void> {
  const button = page.getByRole('button', { name, exact: true });
  try {
    await button.waitFor({ timeout: 2000 * timeFactor }); // a button a click brings may take a moment
  } catch {
    throw new NotYet(`${who} has no button "${name}"`);
  }
  await button.click();
}

/** True if a map link `url` is for the place (latitude, longitude), whatever the map site. */
const pointsAt = (url: unknown, latitude: number, longitude: number) =>
  typeof url === 'string' && url.includes(String(latitude)) && url.includes(String(longitude));

/** Shares (latitude, longitude) from `client` and resolves with the map link everyone gets. */
async function shareFrom(t: Check, client: Client, latitude: number, longitude: number): Promise<string> {
  const args = [{ latitude, longitude }];
  const arrived = handled(t.next(client, 'newLocationMessage', `"newLocationMessage" after ${call('createLocationMessage', args)}`));
  await t.expectOk(client, 'createLocationMessage', args);
  const [message] = await arrived;
  return message?.url;
}

export const checks: LessonChecks = {
  lesson: '07-geolocation',
  explore: {
    '07.3': 'Ask again',
    '07.4': 'A map picture',
  },
  exercises: [
    {
      id: '07.1',
      title: 'Where exactly',
      async check(t) {
        const bob = await t.open('/');
        const ann = await t.open('/', at(51.50735, -0.12776));
        await t.connections(2);
        await click(ann, 'Send location', "Ann's page");
        await t.shows(bob, 'My current location', "Bob's page, once Ann shared her location,", 3000);
        for (const [page, who] of [[bob, "Bob's page"], [ann, "Ann's page"]] as const) {
          const shown = await page.getByText('51.507, -0.128').count();
          if (shown === 0) {
            const line = await page.getByRole('link', { name: 'My current location' }).first().locator('xpath=..').textContent();
            expectThat(false, `${who} shows "${line}" for a place at 51.50735, -0.12776; expected "51.507, -0.128" in that message`);
          }
          const link = await page.getByRole('link', { name: 'My current location' }).count();
          expectThat(link === 1, `${who} has ${link} links named "My current location"; expected the link to keep its words, with the numbers beside it`);
          const href = await page.getByRole('link', { name: 'My current location' }).first().getAttribute('href');
          expectThat(
            pointsAt(href, 51.50735, -0.12776),
            `${who} links to ${show(href)} for a place at 51.50735, -0.12776; expected the map link at full precision (51.50735): round only the numbers shown, not those sent`,
          );
        }
      },
    },
    {
      id: '07.2',
      title: 'OpenStreetMap',
      async check(t) {
        const client = await t.connect();
        for (const [latitude, longitude] of [
          [51.5, -0.12],
          [-90, 180],
          [51.50735123, -0.12776543],
        ]) {
          const url = await shareFrom(t, client, latitude, longitude);
          let link: URL | undefined;
          try {
            link = new URL(url);
          } catch {
            // not a URL at all: said below
          }
          const want = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}`;
          expectThat(
            link?.protocol === 'https:' &&
              link.hostname === 'www.openstreetmap.org' &&
              link.searchParams.get('mlat') === String(latitude) &&
              link.searchParams.get('mlon') === String(longitude),
            `a location at ${latitude}, ${longitude} came as ${show(url)}; expected a link like ${want}, its numbers at full precision, as sent`,
          );
        }
      },
    },
    {
      id: '07.5',
      title: 'Live location',
      async check(t) {
        const listener = await t.connect();
        const places: string[] = [];
        listener.on('newLocationMessage', (message: any) => places.push(message?.url));
        const ann = await t.open('/', at(51.5, -0.12));
        await ann.clock.install(); // the check moves Ann's clock on, rather than wait
        await t.connections(2);
        const london = handled(t.next(listener, 'newLocationMessage', 'her place (51.5, -0.12) at once, once Ann clicked "Share live location"', (m) => pointsAt(m?.url, 51.5, -0.12), 3000));
        await click(ann, 'Share live location', "Ann's page");
        await london;
        const stop = ann.getByRole('button', { name: 'Stop sharing', exact: true });
        expectThat(await stop.isVisible(), `Ann's page shows no button "Stop sharing" while she shares her live location`);

        // She moves: not at once (at most once every 5 s), but within 5 s.
        const count = places.length;
        await ann.context().setGeolocation({ latitude: 48.8566, longitude: 2.3522 });
        await t.pause(300);
        expectThat(
          places.length === count,
          `Ann's page sent ${show(places.slice(count))} right after her first place; expected at most one location every 5 seconds`,
        );
        const paris = handled(t.next(listener, 'newLocationMessage', 'her new place (48.8566, 2.3522) within 5 s of her move', (m) => pointsAt(m?.url, 48.8566, 2.3522), 2000));
        await ann.clock.fastForward(5000);
        await paris;

        // She moves again, and stops before her turn comes: the waiting place is not sent.
        await ann.context().setGeolocation({ latitude: 41.9028, longitude: 12.4964 });
        await t.pause(300); // her page hears of the move (nothing is sent yet: too soon)
        await stop.click();
        const after = places.length;
        await ann.context().setGeolocation({ latitude: 52.52, longitude: 13.405 });
        await ann.clock.fastForward(10_000);
        await t.pause(300);
        expectThat(
          places.length === after,
          `after Ann clicked "Stop sharing", her page still sent ${show(places.slice(after))}; expected nothing more (a place waiting its turn too: clear the timer when she stops)`,
        );
        const again = await ann.getByRole('button', { name: 'Share live location', exact: true }).count();
        expectThat(again === 1, `after "Stop sharing", Ann's page shows no button "Share live location"; expected it back, to share again`);
      },
    },
  ],
};
