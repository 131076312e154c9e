// Per-file harness: one server process per test file (before/after), one
// client pool whose clients are closed after every test.
import { before, after, afterEach } from 'node:test';
import { randomBytes } from 'node:crypto';
import { startServer } from './server.mjs';
import { ClientPool } from './client.mjs';

export const T = { timeout: 30_000 };

export function useServer(opts) {
  const ctx = { server: null, pool: null };
  before(async () => {
    ctx.server = await startServer(opts);
    ctx.pool = new ClientPool(ctx.server);
  }, { timeout: 45_000 });
  afterEach(async () => {
    await ctx.pool?.cleanup();
  }, { timeout: 15_000 });
  after(async () => {
    await ctx.pool?.cleanup();
    await ctx.server?.dispose();
  }, { timeout: 20_000 });
  return ctx;
}

/** Unique channel name per call so tests never share presence state. */
export function chan(prefix = 'conf') {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
