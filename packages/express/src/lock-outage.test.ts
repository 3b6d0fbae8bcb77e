import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RefreshLock } from '@logto-kit/client';
import { MemoryStore, SessionStoreError } from '@logto-kit/web';
import { Browser, type Harness, startHarness } from '../test/harness.ts';
import { authenticated } from './authenticated.ts';

describe('a refresh lock outage', () => {
  let harness: Harness;
  let lockDown = false;
  const store = new MemoryStore();
  const lock: RefreshLock = {
    async acquire() {
      if (lockDown) throw new SessionStoreError('session_store_unavailable', 'Redis is down.');
      return () => {};
    },
  };

  before(async () => {
    harness = await startHarness(
      (app) => {
        app.get('/shopping', authenticated({ resource: 'https://shopping.your-app.com/api' }), (req, res) => {
          res.json({ ok: Boolean(req.accessToken) });
        });
      },
      { session: { secrets: ['lock-outage-test-secret-0123456789abcdef'], store }, clientOptions: { lock } },
    );
  });
  after(() => harness.close());

  it('answers 503 (JSON for API clients, HTML for pages) and keeps the session, instead of signing out', async () => {
    const browser = new Browser(harness.appUrl);
    await browser.signIn();
    const sizeBefore = store.size;
    lockDown = true;
    const api = await browser.get('/shopping', { accept: 'application/json' });
    assert.equal(api.status, 503, api.body);
    assert.match(api.headers.get('content-type') ?? '', /json/);
    const page = await browser.get('/shopping', { accept: 'text/html' });
    assert.equal(page.status, 503);
    assert.match(page.headers.get('content-type') ?? '', /html/);
    assert.equal(api.headers.get('set-cookie'), null, 'the session cookie is left alone');
    assert.equal(store.size, sizeBefore, 'the stored session is still there');

    lockDown = false;
    const recovered = await browser.get('/shopping', { accept: 'application/json' });
    assert.equal(recovered.status, 200, recovered.body);
    assert.deepEqual(JSON.parse(recovered.body), { ok: true });
  });
});
