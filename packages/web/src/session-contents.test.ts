import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lighterSessions, pendingSignInStates, withNewestPendingSignIns } from './session-contents.ts';

function pending(states: string[]): Record<string, string> {
  const data: Record<string, string> = { 'logto.idToken': 'id' };
  for (const state of states) data[`logto.signIn.${state}`] = `{"state":"${state}"}`;
  data['logto.signInIndex'] = JSON.stringify(states.map((state) => ({ state, expiresAt: 1 })));
  return data;
}

describe('session contents', () => {
  it('lists pending sign-ins oldest first, unindexed ones counting as the oldest', () => {
    const data = { ...pending(['a', 'b']), 'logto.signIn.stray': '{}' };
    assert.deepEqual(pendingSignInStates(data), ['stray', 'a', 'b']);
  });

  it('keeps the newest pending sign-ins and their index entries', () => {
    const kept = withNewestPendingSignIns(pending(['a', 'b', 'c']), 2);
    assert.deepEqual(Object.keys(kept).sort(), [
      'logto.idToken',
      'logto.signIn.b',
      'logto.signIn.c',
      'logto.signInIndex',
    ]);
    assert.deepEqual(
      JSON.parse(kept['logto.signInIndex']!).map((entry: { state: string }) => entry.state),
      ['b', 'c'],
    );
    const none = withNewestPendingSignIns(pending(['a']), 0);
    assert.deepEqual(Object.keys(none), ['logto.idToken']);
  });

  it('offers lighter sessions: without cached access tokens first, then fewer pending sign-ins', () => {
    const data = { ...pending(['a', 'b']), 'logto.accessTokens': '{}' };
    const steps = [...lighterSessions(data)].map((candidate) => Object.keys(candidate).sort().join(','));
    assert.deepEqual(steps, [
      'logto.idToken,logto.signIn.a,logto.signIn.b,logto.signInIndex',
      'logto.idToken,logto.signIn.b,logto.signInIndex',
      'logto.idToken',
    ]);
  });
});
