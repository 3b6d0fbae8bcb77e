import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessTokenKey, cacheAccessToken, expiryMarginSeconds, readCachedAccessToken } from './access-token-cache.ts';
import { MemoryStorage, StorageKey } from './storage.ts';

const bearer = (access_token: string, expires_in?: number) => ({ access_token, token_type: 'Bearer', expires_in });

describe('access token cache', () => {
  it('keys tokens by resource and organization separately', async () => {
    const storage = new MemoryStorage();
    await cacheAccessToken(storage, accessTokenKey('https://api', undefined), bearer('resource', 3600), 0);
    await cacheAccessToken(storage, accessTokenKey(undefined, 'org-1'), bearer('organization', 3600), 0);
    await cacheAccessToken(storage, accessTokenKey('https://api', 'org-1'), bearer('both', 3600), 0);
    assert.equal(await readCachedAccessToken(storage, accessTokenKey('https://api', undefined), 0), 'resource');
    assert.equal(await readCachedAccessToken(storage, accessTokenKey(undefined, 'org-1'), 0), 'organization');
    assert.equal(await readCachedAccessToken(storage, accessTokenKey('https://api', 'org-1'), 0), 'both');
    assert.equal(await readCachedAccessToken(storage, accessTokenKey(undefined, undefined), 0), undefined);
  });

  it('uses a 60 s margin for long tokens and 10% for short ones', () => {
    assert.equal(expiryMarginSeconds(3600), 60);
    assert.equal(expiryMarginSeconds(600), 60);
    assert.equal(expiryMarginSeconds(100), 10);
  });

  it('drops expired entries when it writes', async () => {
    const storage = new MemoryStorage();
    await cacheAccessToken(storage, 'old', bearer('old', 100), 0);
    await cacheAccessToken(storage, 'new', bearer('new', 3600), 200_000);
    assert.deepEqual(Object.keys(JSON.parse(storage.get(StorageKey.AccessTokens) ?? '{}')), ['new']);
  });

  it('reads a corrupt cache as empty', async () => {
    const storage = new MemoryStorage();
    storage.set(StorageKey.AccessTokens, '{not json');
    assert.equal(await readCachedAccessToken(storage, 'any', 0), undefined);
    await cacheAccessToken(storage, 'k', bearer('t', 3600), 0);
    assert.equal(await readCachedAccessToken(storage, 'k', 0), 't');
  });
});
