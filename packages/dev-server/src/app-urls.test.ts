import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppUrlError, withAppUrls } from './app-urls.ts';
import { demoWorld } from './demo-world.ts';

const webApp = (config: ReturnType<typeof withAppUrls>) =>
  config.applications.find((application) => application.id === 'sample-web-app');

describe('withAppUrls (--app-url)', () => {
  it('adds <url>/callback and <url>/ to the web app, keeping its own URIs and leaving other apps alone', () => {
    const config = withAppUrls(demoWorld, ['http://localhost:5173', 'https://app.example/base/']);
    assert.deepEqual(webApp(config)?.redirectUris, [
      'http://localhost:3000/callback',
      'http://localhost:5173/callback',
      'https://app.example/base/callback',
    ]);
    assert.deepEqual(webApp(config)?.postLogoutRedirectUris, [
      'http://localhost:3000/',
      'http://localhost:5173/',
      'https://app.example/base/',
    ]);
    assert.deepEqual(
      config.applications.find((application) => application.id === 'sample-m2m'),
      demoWorld.applications.find((application) => application.id === 'sample-m2m'),
    );
    assert.deepEqual(
      webApp(demoWorld)?.redirectUris,
      ['http://localhost:3000/callback'],
      'the demo world is unchanged',
    );
  });

  it('registers a URL given twice, or already registered, once', () => {
    const config = withAppUrls(demoWorld, ['http://localhost:3000/', 'http://localhost:3000']);
    assert.deepEqual(webApp(config)?.redirectUris, ['http://localhost:3000/callback']);
    assert.deepEqual(webApp(config)?.postLogoutRedirectUris, ['http://localhost:3000/']);
  });

  it('refuses URLs that are not plain http(s) app URLs', () => {
    for (const url of [
      'localhost:5173',
      '/callback',
      'javascript:alert(1)',
      'ftp://localhost/',
      'http://localhost:5173/?next=/',
      'http://localhost:5173/#x',
      'http://user:pass@localhost:5173',
    ]) {
      assert.throws(() => withAppUrls(demoWorld, [url]), AppUrlError, url);
    }
  });

  it('refuses a configuration without exactly one traditional web app', () => {
    const noWebApp = { ...demoWorld, applications: demoWorld.applications.filter((a) => a.type !== 'traditional') };
    assert.throws(() => withAppUrls(noWebApp, ['http://localhost:5173']), /found 0/);
    assert.equal(withAppUrls(noWebApp, []), noWebApp, 'without --app-url the configuration is used as it is');
  });
});
