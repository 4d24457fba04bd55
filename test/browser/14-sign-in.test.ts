import { expect } from 'expect';
import type { Page } from 'playwright-core';
import { useLesson } from '../helpers';
import { HOSTILE, wasPwned } from './harness';
import { scene, send, signUpAs, TEACHER } from './scenes/14-sign-in';
import { describeInBrowser } from './suite';

const people = (page: Page) => page.locator('#users li').allTextContents();

describeInBrowser('14 sign-in', (open) => {
  const lesson = useLesson(scene.start, scene.options);

  it('signs up, chats under the account name, and lists both people', async () => {
    const ann = await scene.play(open, lesson());
    expect(await people(ann)).toEqual(['Ann', 'Bob']);
    expect(new URL(ann.url()).pathname).toBe('/');
  });

  it("keeps a message through a reload, as lesson 12 does: it is there again, once, under the account's name", async () => {
    const eve = await open(`${lesson().url}/signup`);
    await signUpAs(eve.page, 'Eve');
    await eve.page.locator('#switch-room').fill('Kept');
    await eve.page.locator('#switch-button').click();
    await eve.page.locator('#room', { hasText: 'Kept' }).waitFor();
    await send(eve.page, 'still here after a reload');
    await eve.page.reload();
    await eve.page.locator('#room', { hasText: 'Kept' }).waitFor();
    await eve.page.locator('.message.mine .message__body', { hasText: 'still here after a reload' }).waitFor({ timeout: 5000 });
    await send(eve.page, 'and the next one'); // once this is in, the history is too
    expect(await eve.page.locator('.message__body', { hasText: 'still here after a reload' }).count()).toBe(1);
  });

  it('sends a signed-out visitor to the sign-in form, and a wrong password back to it with the reason', async () => {
    const visitor = await open(`${lesson().url}/`);
    await visitor.page.waitForURL(/\/signin$/);
    await visitor.page.locator('#name').fill('Nobody Here');
    await visitor.page.locator('#password').fill('not a password');
    await visitor.page.getByRole('button', { name: 'Sign in' }).click();
    await visitor.page.locator('#error', { hasText: 'wrong name or password' }).waitFor();
    expect(await visitor.page.locator('#name').inputValue()).toBe('Nobody Here'); // kept, escaped
    visitor.problems.splice(0); // the 401 was the point
  });

  it('lists one person in two tabs once; signing out in one tab sends the other back to sign in', async () => {
    const cleo = await open(`${lesson().url}/signup`);
    await signUpAs(cleo.page, 'Cleo');
    const secondTab = await cleo.page.context().newPage();
    await secondTab.goto(`${lesson().url}/`);
    await secondTab.locator('#me', { hasText: 'Cleo' }).waitFor();
    await secondTab.locator('#users li', { hasText: 'Cleo' }).waitFor();
    await send(secondTab, 'from my second tab');
    await cleo.page.locator('.message__body', { hasText: 'from my second tab' }).waitFor();
    expect((await people(secondTab)).filter((name) => name === 'Cleo')).toEqual(['Cleo']);

    await cleo.page.getByRole('button', { name: 'Sign out', exact: true }).click(); // exact: exercise 1 adds "Sign out everywhere"
    await cleo.page.waitForURL(/\/signin$/);
    await secondTab.waitForURL(/\/signin$/, { timeout: 3000 }); // the server ended its socket: the page left
    await secondTab.goto(`${lesson().url}/`);
    await secondTab.waitForURL(/\/signin$/); // and the cookie no longer opens the chat
    await secondTab.close();
  });

  it('runs none of what people type: names and messages are text, in the chat and on the instructor page', async () => {
    const mallory = await open(`${lesson().url}/signup`);
    await signUpAs(mallory.page, '<b onmouseover=x>M</b>');
    for (const text of HOSTILE) await send(mallory.page, text);
    const teacher = await open(`${lesson().url}/signin`);
    await signUpAs(teacher.page, TEACHER.name, TEACHER.password, 'signin');
    await teacher.page.goto(`${lesson().url}/instructor`);
    await teacher.page.locator('.room-card tr', { hasText: '<b onmouseover=x>M</b>' }).waitFor();
    for (const page of [mallory.page, teacher.page]) {
      await page.hover('body');
      expect(await wasPwned(page)).toBe(false);
    }
  });

  it("shows the instructor every room live, and its buttons mute and remove a person's every tab", async () => {
    const dan = await open(`${lesson().url}/signup`);
    await signUpAs(dan.page, 'Dan');
    await dan.page.locator('#switch-room').fill('Attic');
    await dan.page.locator('#switch-button').click();
    await dan.page.locator('#room', { hasText: 'Attic' }).waitFor();
    const danTab = await dan.page.context().newPage();
    await danTab.goto(`${lesson().url}/?room=Attic`);
    await danTab.locator('#room', { hasText: 'Attic' }).waitFor();

    const teacher = await open(`${lesson().url}/signin`);
    await signUpAs(teacher.page, TEACHER.name, TEACHER.password, 'signin');
    await teacher.page.locator('#instructor-link').click();
    const row = teacher.page.locator('.room-card', { hasText: 'Attic' }).locator('tr', { hasText: 'Dan' });
    await row.locator('td', { hasText: '2 tabs' }).waitFor();

    await row.getByRole('button', { name: 'Mute 10 min' }).click();
    await row.locator('.muted-until', { hasText: 'muted until' }).waitFor();
    for (const page of [dan.page, danTab]) await page.locator('#error', { hasText: 'muted you in Attic' }).waitFor();
    await dan.page.locator('#input').fill('can I speak?');
    await dan.page.locator('#send').click();
    await dan.page.locator('#error', { hasText: 'Not sent' }).waitFor();

    await row.getByRole('button', { name: 'Remove' }).click();
    for (const page of [dan.page, danTab]) await page.locator('#switch-error', { hasText: 'removed you from Attic' }).waitFor();
    await teacher.page.locator('.room-card', { hasText: 'Attic' }).waitFor({ state: 'detached' });
    await danTab.close();
  });
});
