import { expect } from 'expect';
import { start } from '../../lessons/07-geolocation/server';
import { useLesson } from '../helpers';
import { chatCases, rateLimitCases } from './chat-cases';

describe('07 geolocation', () => {
  const lesson = useLesson(start);

  it('serves the page, with a location button and safe map links', async () => {
    const html = await (await fetch(`${lesson().url}/`)).text();
    expect(html).toContain('<button id="send-location" type="button"');
    const script = await (await fetch(`${lesson().url}/app.js`)).text();
    expect(script).toContain("link.target = '_blank'");
    expect(script).toContain("link.rel = 'noopener noreferrer'");
    expect(script).toContain('Locating…');
    expect(script).toContain('Sending…');
    expect((await fetch(`${lesson().url}/style.css`)).status).toBe(200);
  });

  chatCases(lesson, 'the page shows it with textContent');
});

rateLimitCases('07 geolocation', start);
