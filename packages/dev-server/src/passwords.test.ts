import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it('verifies the password it hashed', async () => {
    const hash = await hashPassword('correct horse');
    assert.match(hash, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    assert.equal(await verifyPassword('correct horse', hash), true);
  });

  it('refuses another password', async () => {
    const hash = await hashPassword('correct horse');
    assert.equal(await verifyPassword('correct horsf', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('same'), await hashPassword('same'));
  });

  it('never stores the password itself', async () => {
    const hash = await hashPassword('visible-secret');
    assert.equal(hash.includes('visible-secret'), false);
  });

  it('refuses malformed or foreign hashes instead of throwing', async () => {
    assert.equal(await verifyPassword('x', ''), false);
    assert.equal(await verifyPassword('x', 'bcrypt$2b$10$abc'), false);
    assert.equal(await verifyPassword('x', 'scrypt$16384$8$1$c2FsdA'), false);
  });
});
