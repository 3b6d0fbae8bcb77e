import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresOptionsFromUrl, redactDatabaseUrl } from './database-url.ts';

describe('postgresOptionsFromUrl', () => {
  it('takes the connection string, and the schema from ?schema=, which is not passed on', () => {
    assert.deepEqual(postgresOptionsFromUrl('postgres://postgres@127.0.0.1:5432/test'), {
      connectionString: 'postgres://postgres@127.0.0.1:5432/test',
    });
    assert.deepEqual(postgresOptionsFromUrl('postgresql://u:p@db/logto?schema=idp&sslmode=disable'), {
      connectionString: 'postgresql://u:p@db/logto?sslmode=disable',
      schema: 'idp',
    });
  });

  it('refuses what is not a PostgreSQL URL', () => {
    assert.throws(() => postgresOptionsFromUrl('mysql://db/logto'), TypeError);
    assert.throws(() => postgresOptionsFromUrl('./data'), TypeError);
  });

  it('hides the password when printed', () => {
    assert.equal(redactDatabaseUrl('postgres://u:secret@db/logto'), 'postgres://u:***@db/logto');
    assert.equal(redactDatabaseUrl('postgres://u@db/logto'), 'postgres://u@db/logto');
  });
});
