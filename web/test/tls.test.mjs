// `switchboard dev --tls` in headless Chromium: the classroom page over https:// connects the official SDK over
// wss:// on the same port (the server refuses plain HTTP there), two people chat, and a plain http:// visit to
// the port gets the clear refusal instead of a hang. Chromium trusts only the dev server's certificate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDev, launchChromium, trustCertificateFlag, RESULTS } from '../lib/browser.mjs';

const ctx = { dev: null, browser: null };

before(async () => {
  ctx.dev = await startDev({ tls: true });
  ctx.browser = await launchChromium([trustCertificateFlag(ctx.dev.certificate)]);
}, { timeout: 60_000 });

after(async () => {
  await ctx.browser?.close();
  await ctx.dev?.stop();
});

async function join(name, role, room) {
  const context = await ctx.browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto(`${ctx.dev.origin}/`);
  await page.fill('#name', name);
  await page.selectOption('#role', role);
  await page.fill('#room', room);
  await page.click('#join button[type=submit]');
  await page.waitForSelector('#status.ok');
  return { context, page, errors, sockets };
}

test('the classroom over https:// talks wss:// to the same port, and two people chat', { timeout: 60_000 }, async () => {
  assert.match(ctx.dev.origin, /^https:\/\//);
  const room = `tls${Date.now() % 100000}`;
  const teacher = await join('Ms Frizzle', 'teacher', room);
  const student = await join('Arnold', 'student', room);
  for (const me of [teacher, student]) {
    assert.ok(me.sockets.length > 0 && me.sockets.every((u) => u.startsWith(`wss://127.0.0.1:${ctx.dev.port}/v1?`)),
      `the SDK's sockets: ${me.sockets}`);
  }
  await teacher.page.waitForFunction(() => [...document.querySelectorAll('#members .name')]
    .some((e) => e.textContent === 'Arnold'));
  await student.page.fill('#text', 'secure hello');
  await student.page.press('#text', 'Enter');
  await teacher.page.waitForFunction(() => [...document.querySelectorAll('#messages .text')]
    .some((e) => e.textContent === 'secure hello'));
  await teacher.page.screenshot({ path: path.join(RESULTS, 'tls-classroom-teacher.png') });
  assert.deepEqual([...teacher.errors, ...student.errors], [], 'no script errors');
  await teacher.context.close();
  await student.context.close();
});

test('plain http:// to the TLS port is answered with a refusal that says what to use', { timeout: 30_000 }, async () => {
  const res = await fetch(`http://127.0.0.1:${ctx.dev.port}/`);
  assert.equal(res.status, 400);
  assert.match((await res.json()).message, /this port speaks TLS: use https:\/\/ for REST and wss:\/\/ for WebSocket/);
});
