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
