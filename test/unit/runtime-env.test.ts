import { describe, expect, it } from 'vitest';
import { connectionEnv, discoveryEnvName, PASSWORD_KEY, URL_CONNECTION_PREFIXES } from '../../spec/runtime-env.js';
import { serviceYaml, validateTexts } from '../support/helpers.js';

/** Issue 19: the runtime contract's password and discovery variables, which the scaffolded config loaders are generated from. */
describe('the runtime contract for password auth and discovery', () => {
  it('gives a database with auth: password DATABASE_<NAME>_PASSWORD after its four connection keys, and one with IAM auth none', () => {
    const env = connectionEnv({
      databases: [{ name: 'catalogue', auth: 'password' }, { name: 'ledger', auth: 'iam' }, { name: 'main' }],
    });
    expect(env.map((v) => [v.name, v.key])).toEqual([
      ['DATABASE_CATALOGUE_HOST', 'host'],
      ['DATABASE_CATALOGUE_PORT', 'port'],
      ['DATABASE_CATALOGUE_DBNAME', 'dbname'],
      ['DATABASE_CATALOGUE_USERNAME', 'username'],
      ['DATABASE_CATALOGUE_PASSWORD', PASSWORD_KEY],
      ['DATABASE_LEDGER_HOST', 'host'],
      ['DATABASE_LEDGER_PORT', 'port'],
      ['DATABASE_LEDGER_DBNAME', 'dbname'],
      ['DATABASE_LEDGER_USERNAME', 'username'],
      ['DATABASE_MAIN_HOST', 'host'],
      ['DATABASE_MAIN_PORT', 'port'],
      ['DATABASE_MAIN_DBNAME', 'dbname'],
      ['DATABASE_MAIN_USERNAME', 'username'],
    ]);
  });

  it('names the URL of a dependency <NAME>_URL, upper case with - as _', () => {
    expect(discoveryEnvName('front-end')).toBe('FRONT_END_URL');
    expect(discoveryEnvName('carts')).toBe('CARTS_URL');
  });

  it('lists the connection prefixes whose variables also end in _URL: only queues', () => {
    expect(URL_CONNECTION_PREFIXES).toEqual(['QUEUE_']);
  });

  it('rejects a service that declares DATABASE_<NAME>_PASSWORD as its own secret for a database with auth: password', () => {
    const text = serviceYaml(
      'orders',
      'secrets: [DATABASE_CATALOGUE_PASSWORD]\nresources:\n  databases:\n    - name: catalogue\n      engine: mysql\n      version: "8.0"\n      auth: password\n',
    );
    const diagnostics = validateTexts({ 'services/orders/service.yaml': text }).diagnostics;
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['REF.RESERVED_ENV', 'secrets[0]: DATABASE_CATALOGUE_PASSWORD is set by paved: it carries the connection details of database "catalogue"'],
    ]);
  });
});
