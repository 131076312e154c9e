// The classroom page in headless Chromium (Debian's, driven by playwright-core), against the server as a
// newcomer runs it: `switchboard dev`. Two browser contexts join one room as teacher and student; they see
// each other in the roster, chat both ways, see typing come and go, the dashboard lists both, and the
// student is removed by the teacher. A name and a message made of markup must stay text. Screenshots go to web/test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDev, launchChromium, RESULTS } from '../lib/browser.mjs';

const XSS_NAME = '<img src=x onerror="window.__xss=1">';
const T = { timeout: 60_000 };
const ctx = { dev: null, browser: null, port: 0 };

before(async () => {
  ctx.dev = await startDev();
  ctx.port = ctx.dev.port;
  ctx.browser = await launchChromium();
}, { timeout: 60_000 });

after(async () => {
  await ctx.browser?.close();
  await ctx.dev?.stop();
});

/** A new browser context (its own storage) that opens the page and joins `room` as `name`/`role`. */
async function joinAs(name, role, room, { width = 1100 } = {}) {
  const context = await ctx.browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${ctx.port}/`);
  await page.fill('#name', name);
  await page.selectOption('#role', role);
  await page.fill('#room', room);
  await page.click('#join button[type=submit]');
  await page.waitForSelector('#status.ok');
  return { context, page, errors };
}

const rosterNames = (page) => page.$$eval('#members .name', (els) => els.map((e) => e.textContent));

test('teacher and student see each other, chat both ways, see typing, and the teacher removes the student', T, async () => {
  const room = `r${Date.now() % 100000}`;
  const teacher = await joinAs('Ms Frizzle', 'teacher', room);
  const student = await joinAs(XSS_NAME, 'student', room, { width: 390 }); // a phone-width window

  await teacher.page.waitForFunction((n) => [...document.querySelectorAll('#members .name')]
    .some((e) => e.textContent === n), XSS_NAME);
  await student.page.waitForFunction(() => [...document.querySelectorAll('#members .name')]
    .some((e) => e.textContent === 'Ms Frizzle'));
  assert.deepEqual((await rosterNames(teacher.page)).sort(), ['Ms Frizzle (you)', XSS_NAME].sort());
  assert.deepEqual((await rosterNames(student.page)).sort(), ['Ms Frizzle', `${XSS_NAME} (you)`].sort());
  await teacher.page.screenshot({ path: path.join(RESULTS, 'classroom-teacher-roster.png') });

  // Typing: the indicator appears for the other side and goes away about 1.5 s after the last keystroke.
  await student.page.type('#text', 'hello', { delay: 30 });
  await teacher.page.waitForFunction(() => document.querySelector('#typing').textContent.includes('is typing'));
  await teacher.page.screenshot({ path: path.join(RESULTS, 'classroom-typing.png') });
  await teacher.page.waitForFunction(() => document.querySelector('#typing').textContent === '', null,
    { timeout: 5000 });

  // Chat both ways; a message made of markup is shown as text.
  await student.page.fill('#text', '<b>bold?</b> hi teacher');
  await student.page.press('#text', 'Enter');
  await teacher.page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
    .some((e) => e.textContent === '<b>bold?</b> hi teacher'));
  await teacher.page.fill('#text', 'welcome!');
  await teacher.page.click('#send button');
  await student.page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
    .some((e) => e.textContent === 'welcome!'));
  const who = await student.page.$eval('#messages .bubble:not(.mine) .who', (e) => e.textContent);
  assert.equal(who, 'Ms Frizzle · teacher', 'the bubble is drawn from fromMetadata');

  // A notice from the teacher arrives as a system message, centred, without avatar.
  await teacher.page.fill('#notice-text', 'Quiz in 5 minutes');
  await teacher.page.click('#notice button');
  await student.page.waitForFunction(() => [...document.querySelectorAll('#messages .system')]
    .some((e) => e.textContent === 'Quiz in 5 minutes'));
  await student.page.screenshot({ path: path.join(RESULTS, 'classroom-student-phone.png') });

  for (const p of [teacher, student]) {
    assert.equal(await p.page.evaluate(() => window.__xss), undefined, 'no markup from a name or message ran');
    assert.equal(await p.page.$$eval('#messages img, #members img', (els) => els.length), 0);
  }

  // The dashboard lists the room with both peers and their metadata, and the app's counters.
  const board = await ctx.browser.newContext({ viewport: { width: 1100, height: 700 } });
  const dash = await board.newPage();
  await dash.goto(`http://127.0.0.1:${ctx.port}/dashboard`);
  await dash.waitForFunction((ch) => {
    const row = document.querySelector(`tr[data-channel="${ch}"]`);
    return row && row.querySelector('.count').textContent === '2';
  }, `classroom/${room}`);
  const peers = await dash.$$eval(`tr[data-channel="classroom/${room}"] .peer`, (els) => els.map((e) => e.textContent));
  assert.deepEqual(peers.map((p) => p.replace(/^\S+ /, '')).sort(),
    ['Ms Frizzle (teacher)', `${XSS_NAME} (student)`].sort());
  assert.ok(Number(await dash.$eval('#connections', (e) => e.textContent)) >= 2);
  assert.equal(await dash.evaluate(() => window.__xss), undefined);
  await dash.screenshot({ path: path.join(RESULTS, 'dashboard.png') });

  // The teacher removes the student: the student is told and does not reconnect; the roster updates.
  await teacher.page.click(`#members button[aria-label^="Remove"]`);
  await student.page.waitForFunction(() => document.querySelector('#status').textContent
    === "You've been removed from this room");
  await teacher.page.waitForFunction(() => document.querySelectorAll('#members li').length === 1);
  assert.equal(await student.page.$eval('#count', (e) => e.textContent), '0', 'the removed student sees nobody');
  assert.equal(await student.page.$eval('#text', (e) => e.disabled), true);
  await student.page.screenshot({ path: path.join(RESULTS, 'classroom-removed.png') });
  await new Promise((r) => setTimeout(r, 1200)); // past the SDK's first reconnect delay: nothing may retry
  assert.equal(await student.page.$eval('#status', (e) => e.textContent), "You've been removed from this room");
  assert.equal(await teacher.page.$$eval('#members li', (els) => els.length), 1, 'the student did not come back');

  assert.deepEqual([...teacher.errors, ...student.errors], [], 'no script errors');
  await dash.waitForFunction((ch) => {
    const row = document.querySelector(`tr[data-channel="${ch}"]`);
    return row && row.querySelector('.count').textContent === '1';
  }, `classroom/${room}`);
  await board.close();
  await teacher.context.close();
  await student.context.close();
});

test('a server restart shows going away and reconnected, and the roster comes back without duplicates', T, async () => {
  const room = `re${Date.now() % 100000}`;
  const teacher = await joinAs('Mr Keating', 'teacher', room);
  const student = await joinAs('Todd', 'student', room);
  await teacher.page.waitForFunction(() => document.querySelectorAll('#members li').length === 2);
  const statuses = [];
  await teacher.page.exposeFunction('recordStatus', (s) => statuses.push(s));
  await teacher.page.evaluate(() => new MutationObserver(() => window.recordStatus(
    document.querySelector('#status').textContent)).observe(document.querySelector('#status'),
    { childList: true, characterData: true, subtree: true }));
  await ctx.dev.restart();
  await teacher.page.waitForFunction(() => document.querySelector('#status').textContent === 'Reconnected',
    null, { timeout: 20_000 });
  await student.page.waitForFunction(() => document.querySelector('#status').textContent === 'Reconnected',
    null, { timeout: 20_000 });
  await teacher.page.waitForFunction(() => document.querySelectorAll('#members li').length === 2);
  assert.deepEqual((await rosterNames(teacher.page)).sort(), ['Mr Keating (you)', 'Todd']);
  assert.ok(statuses.some((s) => s.startsWith('Server restarting') || s === 'Reconnecting…'),
    `the page showed the restart: ${JSON.stringify(statuses)}`);
  await teacher.page.screenshot({ path: path.join(RESULTS, 'classroom-reconnected.png') });
  await student.page.fill('#text', 'still here');
  await student.page.press('#text', 'Enter');
  await teacher.page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
    .some((e) => e.textContent === 'still here'));
  assert.deepEqual([...teacher.errors, ...student.errors], []);
  await teacher.context.close();
  await student.context.close();
});
