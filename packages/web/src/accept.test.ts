import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prefersJson } from './accept.ts';

describe('prefersJson', () => {
  it('answers HTML to browsers, to no Accept header and to ties', () => {
    assert.equal(prefersJson(undefined), false);
    assert.equal(prefersJson(''), false);
    assert.equal(prefersJson('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), false);
    assert.equal(prefersJson('*/*'), false);
    assert.equal(prefersJson('application/json, text/html'), false);
  });

  it('answers JSON to clients that rank it higher', () => {
    assert.equal(prefersJson('application/json'), true);
    assert.equal(prefersJson('application/json, text/html;q=0.5'), true);
    assert.equal(prefersJson('application/*, text/plain'), true);
    assert.equal(prefersJson('Application/JSON'), true);
  });

  it('lets the most specific range decide a type’s quality', () => {
    assert.equal(prefersJson('text/html;q=0, */*'), true, 'HTML refused, anything else welcome');
    assert.equal(prefersJson('application/json;q=0.1, */*'), false);
    assert.equal(
      prefersJson('application/json;q=nonsense, text/html;q=0.1'),
      false,
      'an unreadable quality counts as 0',
    );
  });
});
