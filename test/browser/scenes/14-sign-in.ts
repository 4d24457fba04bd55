import type { Page } from 'playwright-core';
import { start } from '../../../lessons/14-sign-in/server';
import type { StartOptions } from '../../../lessons/14-sign-in/settings';
import { CHEAP_HASHES, PASSWORD, TEACHER } from '../../lessons/sign-in-clients';
import { send } from './09-rooms';
import type { Scene } from './scene';

export { PASSWORD, send, TEACHER };

/** Fills the sign-up or sign-in form on `page` (opened at /signup or /signin) and lands in the chat. */
export async function signUpAs(page: Page, name: string, password = PASSWORD, form: 'signup' | 'signin' = 'signup'): Promise<void> {
  if (!page.url().endsWith(`/${form}`)) await page.goto(new URL(`/${form}`, page.url()).href);
  await page.locator('#name').fill(name);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: form === 'signup' ? 'Sign up' : 'Sign in' }).click();
  await page.locator('#me', { hasText: name }).waitFor();
}

export const scene: Scene<StartOptions> = {
  lesson: '14-sign-in',
  start,
  options: {
    dbFile: ':memory:',
    instructor: TEACHER,
    joinRateLimit: { burst: 100, perSecond: 100 },
    signUpRateLimit: { burst: 1000, perSecond: 1000 },
    passwordCost: CHEAP_HASHES,
  },
  async play(open, lesson) {
    const [ann, bob] = [await open(`${lesson.url}/signup`), await open(`${lesson.url}/signup`)];
    await signUpAs(ann.page, 'Ann');
    await signUpAs(bob.page, 'Bob');
    await send(ann.page, 'Signed in: the server knows me by my session, not by what I type.');
    await send(bob.page, 'And signing out in one tab closes every tab.');
    await ann.page.locator('#users li', { hasText: 'Bob' }).waitFor();
    await ann.page.locator('.message__body', { hasText: 'every tab' }).waitFor();
    return ann.page;
  },
};
