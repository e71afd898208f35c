import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BOOTSTRAP_SQL, SQL_KEY } from '../../emitters/kubernetes/database-bootstrap.js';
import { names } from '../../spec/naming.js';
import { CASES } from '../support/helpers.js';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

/**
 * Issue 15 item 3: the `app` role. The SQL the golden output emits (not a copy
 * of it) runs against a real PostgreSQL server as a master user shaped like
 * RDS's: not a superuser, CREATEROLE, `rds_iam` WITH ADMIN OPTION, owner of the
 * database. The emitted Job's psql argv runs it.
 */

const STAGING = join(CASES, 'full/expected/generated/ledger/kubernetes/staging');
const configMap = parse(readFileSync(join(STAGING, 'configmap-db-bootstrap.yaml'), 'utf8')) as { data: Record<string, string> };
const job = parse(readFileSync(join(STAGING, 'job-db-bootstrap-ledger.yaml'), 'utf8')) as any;
const externalSecret = parse(readFileSync(join(STAGING, 'externalsecret-db-master-ledger.yaml'), 'utf8')) as any;
const EMITTED_SQL = configMap.data[SQL_KEY]!;
const container = job.spec.template.spec.containers[0];

/** The Job's argv with the mounted script's path replaced by `file`. */
function jobArgv(file: string): string[] {
  const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'sql').mountPath as string;
  const [, ...args] = container.command as string[];
  const fileArg = `--file=${mount}/${SQL_KEY}`;
  expect(args).toContain(fileArg);
  return args.map((a) => (a === fileArg ? `--file=${file}` : a));
}

describe('the emitted database bootstrap', () => {
  it('is the one script of emitters/kubernetes/database-bootstrap.ts, byte for byte, mounted where the Job reads it', () => {
    expect(EMITTED_SQL).toBe(BOOTSTRAP_SQL);
    expect(container.command[0]).toBe('psql');
    expect(container.command).toEqual(['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--single-transaction', `--file=/etc/paved/db-bootstrap/${SQL_KEY}`]);
    const volume = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'sql');
    expect(volume.configMap.name).toBe('db-bootstrap');
  });

  it('simulates the master user the Terraform output creates, whose password RDS manages, and the role the connection secret names', () => {
    const tf = readFileSync(join(CASES, 'full/expected/generated/ledger/terraform/database.tf'), 'utf8');
    expect(tf).toMatch(new RegExp(`\\n  username +?= "${names.databaseMasterUser()}"\\n  manage_master_user_password +?= true\\n`));
    expect(tf).toMatch(/\n    username = "app"\n/);
    expect(EMITTED_SQL).toContain('CREATE ROLE "app" LOGIN;');
  });

  it('runs as an Argo CD Sync hook after its prerequisites and before the Deployment, replaced on every sync', () => {
    const wave = (file: string): string | undefined =>
      (parse(readFileSync(join(STAGING, file), 'utf8')) as any).metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    expect(job.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '-1',
    });
    for (const file of [
      'namespace.yaml',
      'configmap-db-bootstrap.yaml',
      'serviceaccount-ledger-db-bootstrap.yaml',
      'networkpolicy-ledger-db-bootstrap.yaml',
      'externalsecret-db-master-ledger.yaml',
      'externalsecret-database-ledger.yaml',
    ]) {
      expect(wave(file), file).toBe('-2');
    }
    expect(wave('deployment.yaml')).toBeUndefined();
  });

  it('finds the master secret by the RDS tag holding the instance ARN, and connects with TLS', () => {
    expect(externalSecret.spec.dataFrom).toEqual([
      {
        find: { name: { regexp: '^rds!db-' }, tags: { 'aws:rds:primaryDBInstanceArn': 'arn:aws:rds:eu-central-1:123456789012:db:ledger-stg-ledger' } },
        rewrite: [{ regexp: { source: '^rds!db-', target: 'candidate-' } }],
      },
    ]);
    expect(container.env.find((e: { name: string }) => e.name === 'PGSSLMODE')).toEqual({ name: 'PGSSLMODE', value: 'require' });
  });

  it("finds again, to drop them, the secrets of the service's databases whose identifier begins with this one's (stock, stock-history)", () => {
    const dir = join(CASES, 'terraform-every-primitive/expected/generated/inventory/kubernetes/production');
    const found = (database: string) =>
      (parse(readFileSync(join(dir, `externalsecret-db-master-${database}.yaml`), 'utf8')) as any).spec.dataFrom.map((d: any) => [
        d.find.tags['aws:rds:primaryDBInstanceArn'],
        d.rewrite[0].regexp.target,
      ]);
    const platform = parse(readFileSync(join(CASES, 'terraform-every-primitive/platform.yaml'), 'utf8')) as {
      cloud: { region: string; accounts: { production: string } };
    };
    const arn = (identifier: string) => `arn:aws:rds:${platform.cloud.region}:${platform.cloud.accounts.production}:db:${identifier}`;
    expect(found('stock')).toEqual([
      [arn('inventory-prd-stock'), 'candidate-'],
      [arn('inventory-prd-stock-history'), 'other-'],
    ]);
    expect(found('stock-history')).toEqual([[arn('inventory-prd-stock-history'), 'candidate-']]);
  });
});

/**
 * The master secret's template, executed by Go's text/template (the engine of
 * ESO's v2 templates) with ESO's definitions of the functions it calls,
 * `mustFromJson`, `fail`, `hasPrefix` and `trimPrefix`
 * (external-secrets runtime/template/v2/sprig): the fetched keys arrive as a map of strings.
 */
describe('the master secret template', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-eso-template-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function render(template: string, data: Record<string, string>): { out: string; error: string } {
    writeFileSync(join(dir, 'go.mod'), 'module esotemplate\n\ngo 1.19\n');
    writeFileSync(
      join(dir, 'main.go'),
      `package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/template"
)

func mustFromJson(v string) (interface{}, error) {
	var output interface{}
	err := json.Unmarshal([]byte(v), &output)
	return output, err
}

func main() {
	var input struct {
		Template string
		Data     map[string]string
	}
	if err := json.Unmarshal([]byte(os.Args[1]), &input); err != nil {
		panic(err)
	}
	funcs := template.FuncMap{
		"mustFromJson": mustFromJson,
		"fail":         func(msg string) (string, error) { return "", errors.New(msg) },
		"hasPrefix":    func(substr string, str string) bool { return strings.HasPrefix(str, substr) },
		"trimPrefix":   func(a, b string) string { return strings.TrimPrefix(b, a) },
	}
	t, err := template.New("k").Option("missingkey=error").Funcs(funcs).Parse(input.Template)
	if err != nil {
		fmt.Fprint(os.Stderr, err)
		os.Exit(2)
	}
	buf := bytes.NewBuffer(nil)
	if err := t.Execute(buf, input.Data); err != nil {
		fmt.Fprint(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Print(buf.String())
}
`,
    );
    const result = spawnSync('go', ['run', '.', JSON.stringify({ Template: template, Data: data })], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod', GOCACHE: join(dir, 'cache'), GOPATH: join(dir, 'gopath') },
    });
    if (result.error) throw result.error;
    return { out: result.stdout, error: result.stderr };
  }

  const { PGUSER, PGPASSWORD } = externalSecret.spec.target.template.data as { PGUSER: string; PGPASSWORD: string };
  const secret = (password: string) => JSON.stringify({ username: names.databaseMasterUser(), password });
  const NOT_ONE = 'expected exactly one RDS master user secret tagged with this instance ARN';

  it('yields the username and password of the one secret found', () => {
    expect(render(PGUSER, { 'candidate-1b2c': secret('x') })).toEqual({ out: names.databaseMasterUser(), error: '' });
    expect(render(PGPASSWORD, { 'candidate-1b2c': secret(`p"w'{{ .x }}`) })).toEqual({ out: `p"w'{{ .x }}`, error: '' });
  });

  it("drops the candidates found again as another database's, and keeps the one left", () => {
    expect(render(PGPASSWORD, { 'candidate-own': secret('mine'), 'candidate-long': secret('theirs'), 'other-long': secret('theirs') })).toEqual({
      out: 'mine',
      error: '',
    });
  });

  it('fails when no candidate, or more than one, is left', () => {
    expect(render(PGPASSWORD, {}).error).toContain(NOT_ONE);
    expect(render(PGPASSWORD, { 'candidate-long': secret('theirs'), 'other-long': secret('theirs') }).error).toContain(NOT_ONE);
    expect(render(PGPASSWORD, { 'candidate-1': secret('a'), 'candidate-2': secret('b') }).error).toContain(NOT_ONE);
  });
});

describe('the bootstrap SQL against a real PostgreSQL server', () => {
  let server: PostgresServer;
  let scratch: string;
  const DATABASE = 'ledger';

  beforeAll(async () => {
    server = await startPostgres();
    scratch = mkdtempSync(join(tmpdir(), 'paved-sql-'));
    writeFileSync(join(scratch, SQL_KEY), EMITTED_SQL);
    // RDS's shape: rds_iam exists, the master is no superuser, may create roles, may grant rds_iam, and owns the database.
    server.query('postgres', 'postgres', 'CREATE ROLE rds_iam NOLOGIN');
    server.query('postgres', 'postgres', `CREATE ROLE ${names.databaseMasterUser()} LOGIN CREATEROLE NOSUPERUSER`);
    server.query('postgres', 'postgres', `GRANT rds_iam TO ${names.databaseMasterUser()} WITH ADMIN OPTION`);
  }, 120_000);
  afterAll(() => {
    server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** A fresh database owned by the master, and no `app` role anywhere. */
  function freshDatabase(name: string): void {
    if (server.query('postgres', 'postgres', "SELECT count(*) FROM pg_roles WHERE rolname = 'app'") === '1') {
      for (const db of server.query('postgres', 'postgres', 'SELECT datname FROM pg_database WHERE datallowconn').split('\n'))
        server.query('postgres', db, 'DROP OWNED BY app CASCADE');
      server.query('postgres', 'postgres', 'DROP ROLE app');
    }
    server.query('postgres', 'postgres', `DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}"`);
    server.query('postgres', 'postgres', `CREATE DATABASE "${name.replaceAll('"', '""')}" OWNER ${names.databaseMasterUser()}`);
  }

  const bootstrap = (database: string) => server.psql(names.databaseMasterUser(), database, jobArgv(join(scratch, SQL_KEY)));
  const useTable = (database: string) =>
    server.psql('app', database, [
      '--no-psqlrc',
      '--quiet',
      '--set=ON_ERROR_STOP=1',
      '--tuples-only',
      '--no-align',
      '--command',
      'CREATE TABLE public.entries (id integer PRIMARY KEY, note text)',
      '--command',
      "INSERT INTO public.entries VALUES (1, 'booked')",
      '--command',
      'SELECT note FROM public.entries WHERE id = 1',
    ]);

  it('runs on PostgreSQL 15 or later, where PUBLIC no longer has CREATE on schema public', () => {
    expect(server.version).toBeGreaterThanOrEqual(15);
  });

  it('negative control: with only the old README recipe (CREATE USER app; GRANT rds_iam TO app), app cannot create a table in public', () => {
    freshDatabase(DATABASE);
    server.query(names.databaseMasterUser(), DATABASE, 'CREATE USER app');
    server.query(names.databaseMasterUser(), DATABASE, 'GRANT rds_iam TO app');
    const denied = useTable(DATABASE);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain('permission denied for schema public');
  });

  it("run twice by the master with the Job's psql argv, it succeeds both times and app can create, fill and read a table in public", () => {
    freshDatabase(DATABASE);
    expect(server.psql('app', DATABASE, ['--command', 'SELECT 1']).stderr).toContain('role "app" does not exist');
    for (const run of [1, 2]) {
      const result = bootstrap(DATABASE);
      // A rerun may only note what already holds (NOTICE: already a member); never a WARNING such as "no privileges were granted".
      const unexpected = result.stderr
        .split('\n')
        .filter((line) => line !== '' && !/^psql:[^:]+:\d+: NOTICE: {2}role "app" is already a member of role "rds_iam"$/.test(line));
      expect({ run, status: result.status, unexpected }).toEqual({ run, status: 0, unexpected: [] });
    }
    const used = useTable(DATABASE);
    expect(used.stderr).toBe('');
    expect(used.stdout.trim()).toBe('booked');
    expect(server.query('postgres', DATABASE, "SELECT tableowner FROM pg_tables WHERE tablename = 'entries'")).toBe('app');
  });

  it('leaves app a login role in rds_iam, with CONNECT, no password and no other power', () => {
    freshDatabase(DATABASE);
    expect(bootstrap(DATABASE).status).toBe(0);
    expect(
      server.query(
        'postgres',
        'postgres',
        "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolpassword IS NULL FROM pg_authid WHERE rolname = 'app'",
      ),
    ).toBe('t|f|f|f|t');
    expect(
      server.query(
        'postgres',
        DATABASE,
        "SELECT pg_has_role('app', 'rds_iam', 'MEMBER'), has_database_privilege('app', current_database(), 'CONNECT'), has_schema_privilege('app', 'public', 'USAGE,CREATE')",
      ),
    ).toBe('t|t|t');
  });

  it('repairs a role created by hand without LOGIN, after the README recipe too (reruns over any earlier state)', () => {
    freshDatabase(DATABASE);
    server.query(names.databaseMasterUser(), DATABASE, 'CREATE ROLE app NOLOGIN');
    expect(bootstrap(DATABASE).status).toBe(0);
    expect(useTable(DATABASE).stdout.trim()).toBe('booked');
  });

  it('grants CONNECT on a database whose name needs quoting, by the name the server quotes', () => {
    const odd = 'Odd "name"; DROP ROLE paved_admin; --';
    freshDatabase(odd);
    const result = bootstrap(odd);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(
      server.query(
        'postgres',
        'postgres',
        `SELECT has_database_privilege('app', '${odd.replaceAll("'", "''")}', 'CONNECT'), (SELECT count(*) FROM pg_roles WHERE rolname = '${names.databaseMasterUser()}')`,
      ),
    ).toBe('t|1');
  });
});
