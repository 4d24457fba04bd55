// shared/styles.ts: stylesheets written in SCSS, compiled by Sass on the first
// request, kept until a file they use changes, and never a crash.
import { expect } from 'expect';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { servePage } from '../../shared/public';

const root = path.join(__dirname, '../..');

describe('shared/styles: SCSS compiled on request', () => {
  let dir: string;
  let page: Awaited<ReturnType<typeof servePage>>;
  const cssOf = async (name: string) => {
    const response = await fetch(`${page.url}/${name}`);
    return { status: response.status, type: response.headers.get('content-type'), css: await response.text() };
  };
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'styles-'));
    process.env.WORKBOOK_STYLES = path.join(dir, 'cache');
    write('_colors.scss', '$brand: #2f6fed;\n');
    write('style.scss', "@use 'mixins' as *;\n@use 'colors';\n.box { @include card; color: colors.$brand; }\n");
    write('plain.css', '.plain { color: red; }\n');
    page = await servePage(dir, 0);
  });
  after(async () => {
    await page.close();
    delete process.env.WORKBOOK_STYLES;
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers style.css with style.scss compiled, the workbook's mixins and the folder's own partials included", async () => {
    const { status, type, css } = await cssOf('style.css');
    expect(status).toBe(200);
    expect(type).toContain('text/css');
    expect(css).toMatch(/\.box \{[^}]*border-radius: 10px;[^}]*color: #2f6fed;/s); // card(), then the partial's color
    expect(css).not.toContain('@include');
  });

  it('serves a plain .css file as it is, and /workbook.css compiled from shared/public/workbook.scss', async () => {
    expect((await cssOf('plain.css')).css).toBe('.plain { color: red; }\n');
    const workbook = await cssOf('workbook.css');
    expect(workbook.status).toBe(200);
    expect(workbook.css).toMatch(/\.card \{[^}]*border-radius: 10px;/s);
    expect((await cssOf('nothing.css')).status).toBe(404);
  });

  it('compiles again when a file it uses changes, and not before', async () => {
    const before = (await cssOf('style.css')).css;
    expect((await cssOf('style.css')).css).toBe(before);
    write('_colors.scss', '$brand: #c62828;\n');
    expect((await cssOf('style.css')).css).toContain('color: #c62828;');
  });

  it('answers a file that does not compile with a sheet that shows the error on the page, and recovers once it is fixed', async () => {
    write('broken.scss', '.x { color: $nowhere; }\n');
    const printed: string[] = [];
    const print = console.error;
    console.error = (line: string) => printed.push(line);
    const { status, css } = await cssOf('broken.css').finally(() => (console.error = print));
    expect(printed).toEqual([expect.stringMatching(/broken\.scss does not compile:\nUndefined variable/)]);
    expect(status).toBe(200); // a stylesheet with an error status would not be applied, and the message not seen
    expect(css).toMatch(/^body::before \{ content: "broken\.scss does not compile: Undefined variable/);
    write('broken.scss', '.x { color: green; }\n');
    expect((await cssOf('broken.css')).css).toContain('color: green;');
  });

  it('keeps what it compiled for the next process, which then does not load Sass at all', async () => {
    await cssOf('style.css'); // compiled by now: on disk too
    const program = `
      require('ts-node/register/transpile-only');
      const { compileStyle } = require(${JSON.stringify(path.join(root, 'shared/styles'))});
      compileStyle(${JSON.stringify(path.join(dir, 'style.scss'))}).then((css) => {
        const sass = Object.keys(require.cache).some((file) => file.includes('/node_modules/sass/'));
        console.log(JSON.stringify({ sass, css }));
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', program], { cwd: root, env: { ...process.env } });
    const { sass, css } = JSON.parse(stdout);
    expect(css).toBe((await cssOf('style.css')).css);
    expect(sass).toBe(false);
  });

  it('a lesson starts without loading Sass: it waits for the first stylesheet asked for', async () => {
    const program = `
      require('ts-node/register/transpile-only');
      const { start } = require(${JSON.stringify(path.join(root, 'lessons/08-timestamps-templates/server'))});
      start({ port: 0 }).then(async (lesson) => {
        const sass = Object.keys(require.cache).some((file) => file.includes('/node_modules/sass/'));
        await lesson.close();
        console.log(JSON.stringify({ sass }));
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', program], { cwd: root });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ sass: false });
  });
});
