// Helpers for the browser tests of the chat pages that show messages the
// lesson 08 way (lesson 08's own page, and lessons 09 and 10 through
// shared/public/chat-view.ts).
import type { Page } from 'playwright-core';

/** The message list's scroll position: how far down, and how far from the bottom. */
export function scroll(page: Page): Promise<{ top: number; fromBottom: number; overflow: number }> {
  return page.locator('#messages').evaluate((list) => ({
    top: list.scrollTop,
    fromBottom: list.scrollHeight - list.scrollTop - list.clientHeight,
    overflow: list.scrollHeight - list.clientHeight,
  }));
}

/** Every location link on a page, as seen, never followed: the map is on another machine. */
export function mapLinks(page: Page): Promise<{ mine: boolean; text: string; href: string | null; target: string | null; rel: string[] }[]> {
  return page.locator('.message__body a').evaluateAll((links) =>
    links.map((link) => ({
      mine: link.closest('.message')!.classList.contains('mine'),
      text: link.textContent ?? '',
      href: link.getAttribute('href'),
      target: link.getAttribute('target'),
      rel: (link.getAttribute('rel') ?? '').split(/\s+/).filter(Boolean),
    })),
  );
}

/**
 * Sends long messages until the reader's list overflows by more than 300
 * pixels, and returns its scroll position then. How many that takes depends
 * on the fonts the machine has, so the test does not fix a number.
 */
export async function fillTheList(send: (text: string) => Promise<void>, reader: Page) {
  const line = 'A longer message, so that a few of them fill the list and it has to scroll. '.repeat(4);
  for (let n = 1; n <= 8; n++) { // 8 at most: the chat allows 10 at once, and the test sends more after
    await send(`${n}. ${line}`);
    await reader.locator('.message__body', { hasText: `${n}. ${line.slice(0, 20)}` }).waitFor();
    const position = await scroll(reader);
    if (position.overflow > 300) return position;
  }
  throw new Error('8 long messages did not make the list scroll by 300 pixels');
}
