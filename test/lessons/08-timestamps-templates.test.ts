import { expect } from 'expect';
import { start } from '../../lessons/08-timestamps-templates/server';
import { useLesson } from '../helpers';
import { chatCases, rateLimitCases } from './chat-cases';

describe('08 timestamps and templates', () => {
  const lesson = useLesson(start);

  it('serves the page with its templates, and Mustache and Moment from node_modules', async () => {
    const base = lesson().url;
    const html = await (await fetch(`${base}/`)).text();
    expect(html).toContain('<script type="text/template" id="message-template">');
    expect(html).toContain('<script type="text/template" id="location-message-template">');
    expect(html).toContain('target="_blank" rel="noopener noreferrer"');
    expect(html).not.toContain('{{{'); // every value is escaped
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // no CDN
    for (const [file, marker] of [['/vendor/mustache.js', 'mustache'], ['/vendor/moment.js', 'moment']]) {
      const response = await fetch(`${base}${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('javascript');
      expect(await response.text()).toContain(marker);
    }
    expect(await (await fetch(`${base}/app.js`)).text()).toContain('Mustache.render');
    expect((await fetch(`${base}/style.css`)).status).toBe(200);
  });

  chatCases(lesson, 'the page escapes it with {{ }}');
});

rateLimitCases('08 timestamps and templates', start);
