// The client README's table "Compared with the official SDKs" names every public method and export
// of the installed @logto/client and @logto/node, so a new official method cannot go unnoticed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import * as officialClient from '@logto/client';
import LogtoNodeClient, * as officialNode from '@logto/node';

async function parityTable(): Promise<string> {
  const readme = await readFile(new URL('../packages/client/README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## Compared with the official SDKs');
  assert.ok(start >= 0, 'the README has the comparison section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The official names a table row lists in its first column. */
function officialNames(table: string): Set<string> {
  const names = new Set<string>();
  for (const line of table.split('\n')) {
    const first = line.split('|')[1] ?? '';
    for (const [, code] of first.matchAll(/`([^`]+)`/g)) {
      const name = /^(?:new\s+)?([A-Za-z_$][\w$]*)/.exec(code ?? '')?.[1];
      if (name) names.add(name);
    }
  }
  return names;
}

/** The public methods and fields of an official client instance. */
function instanceMembers(): string[] {
  const storage = { getItem: async () => null, setItem: async () => {}, removeItem: async () => {} };
  const client = new LogtoNodeClient(
    { endpoint: 'http://127.0.0.1:9', appId: 'app', appSecret: 'secret' },
    { storage, navigate: () => {} },
  );
  const names = new Set<string>(Object.keys(client));
  for (let proto = Object.getPrototypeOf(client); proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  // Protected in the official typings (not part of the public API) or JavaScript's own.
  const notPublic = new Set([
    'constructor',
    'jwtVerifierInstance',
    'accessTokenMap',
    'getSignInSession',
    'setSignInSession',
    'setIdToken',
    'setRefreshToken',
    'getAccessTokenByRefreshToken',
    'saveAccessTokenMap',
    'loadAccessTokenMap',
  ]);
  return [...names].filter((name) => !notPublic.has(name) && !name.startsWith('#'));
}

describe('the parity table of the client README', () => {
  it('lists every public method of the official client', async () => {
    const listed = officialNames(await parityTable());
    const members = instanceMembers();
    assert.ok(members.includes('getAccessToken') && members.includes('getContext'), 'the scan sees the methods');
    assert.deepEqual(
      members.filter((name) => !listed.has(name)),
      [],
    );
  });

  it('lists every export of @logto/client and @logto/node', async () => {
    const listed = officialNames(await parityTable());
    listed.add('default'); // the client class, listed as LogtoClient
    const exports = new Set([...Object.keys(officialClient), ...Object.keys(officialNode)]);
    assert.ok(exports.has('buildOrganizationUrn') && exports.has('CookieStorage'), 'the scan sees the exports');
    assert.deepEqual(
      [...exports].filter((name) => !listed.has(name)),
      [],
    );
  });
});
