import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSameOriginRequest } from './same-origin.ts';

const app = 'https://app.example';
const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('isSameOriginRequest', () => {
  it('accepts Sec-Fetch-Site: same-origin, or without it the application’s Origin', () => {
    assert.equal(isSameOriginRequest(headers({ 'sec-fetch-site': 'same-origin' }), app), true);
    assert.equal(isSameOriginRequest(headers({ origin: app }), app), true);
  });

  it('refuses other sites, sibling subdomains, user-typed requests, Origin null and requests saying neither', () => {
    const refused: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'none' },
      { 'sec-fetch-site': 'cross-site', origin: app },
      { origin: 'https://evil.example' },
      { origin: 'https://app.example.evil.example' },
      { origin: 'http://app.example' },
      { origin: 'null' },
      {},
    ];
    for (const values of refused) {
      assert.equal(isSameOriginRequest(headers(values), app), false, JSON.stringify(values));
    }
  });
});
