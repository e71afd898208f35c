import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { GENERATED_MARKER } from '../../../spec/marker.js';
import { caseRoot, CASES, goldenCases, readTree } from '../../support/helpers.js';
import { badCommentLines, codeLines, compileTree, diagnosticLines, isHcl, isYaml, service, yamlDocuments } from '../../support/redteam/spec-tree.js';

/**
 * Red team, class "text that reaches a comment or header": a line break in an
 * override reason, a description or a folder name must never end a comment and
 * start YAML or HCL. Line breaks a YAML or HCL reader honours besides LF (CR,
 * NEL, LS, PS) and other control characters are rejected at validation with a
 * position; a multi-line reason is accepted and printed as one comment line per
 * line, and the injected text appears nowhere but in comments.
 */

const SPEC = 'services/api/service.yaml';

const CLUSTER_ADMIN = [
  '---',
  'apiVersion: rbac.authorization.k8s.io/v1',
  'kind: ClusterRoleBinding',
  'metadata: { name: pwned }',
  'roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }',
  'subjects: [{ kind: ServiceAccount, name: api, namespace: api }]',
].join('\n');

const ADMIN_ATTACHMENT = [
  '}',
  'resource "aws_iam_role_policy_attachment" "pwned" {',
  '  role       = aws_iam_role.service.name',
  '  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"',
  '}',
  '# {',
].join('\n');

const kubernetesOverride = (reason: string): string =>
  service(
    'api',
    `overrides:\n  kubernetes:\n    - target: Deployment/api\n      environments: [production]\n      reason: ${JSON.stringify(reason)}\n      patch:\n        - { op: add, path: /spec/template/spec/priorityClassName, value: high }\n`,
  );

const terraformOverride = (reason: string): string =>
  service(
    'api',
    `resources:\n  databases:\n    - name: main\noverrides:\n  terraform:\n    - target: aws_db_instance.main\n      reason: ${JSON.stringify(reason)}\n      patch:\n        - { op: add, path: /max_allocated_storage, value: 1000 }\n`,
  );

/** Every generated YAML file parses, with the expected documents, and no document is of an injected kind. */
function expectNoInjectedYaml(tree: ReadonlyMap<string, string>): void {
  for (const [path, contents] of tree) {
    expect(badCommentLines(contents, path), path).toEqual([]);
    if (!isYaml(path)) continue;
    const docs = yamlDocuments(contents) as Array<{ kind?: string } | null>;
    if (path.endsWith('/catalog-info.yaml'))
      expect(
        docs.every((d) => d?.kind === 'Component' || d?.kind === 'Resource'),
        path,
      ).toBe(true);
    else expect(docs.length, path).toBe(1);
    expect(
      docs.some((d) => d?.kind === 'ClusterRoleBinding'),
      path,
    ).toBe(false);
    expect(codeLines(contents).some((line) => /^kind: ClusterRoleBinding|^---$/.test(line)) && !path.endsWith('/catalog-info.yaml'), path).toBe(false);
  }
}

describe('override reasons with line breaks', () => {
  it('a multi-line Kubernetes reason prints one comment line per line, and its ClusterRoleBinding is never a document', () => {
    const reason = `Needs priority during sales (INC-1)\n${CLUSTER_ADMIN}`;
    const { errors, tree } = compileTree({ [SPEC]: kubernetesOverride(reason) });
    expect(errors).toBe('');
    const deployment = tree.get('generated/api/kubernetes/production/deployment.yaml')!;
    const header = deployment.split('\n').filter((line) => line.startsWith('#'));
    expect(header.slice(-7)).toEqual([
      '# paved override (a reported deviation): Needs priority during sales (INC-1)',
      ...CLUSTER_ADMIN.split('\n').map((line) => `# ${line}`),
    ]);
    expect(yamlDocuments(deployment)).toHaveLength(1);
    expect((yamlDocuments(deployment)[0] as { kind: string }).kind).toBe('Deployment');
    expectNoInjectedYaml(tree);
  });

  it('a multi-line Terraform reason prints one comment line per line, and its resource is never HCL', () => {
    const plain = compileTree({ [SPEC]: terraformOverride('Order history outgrew the disk (INC-198)') });
    const hostile = compileTree({ [SPEC]: terraformOverride(`Order history outgrew the disk (INC-198)\n${ADMIN_ATTACHMENT}`) });
    expect([plain.errors, hostile.errors]).toEqual(['', '']);
    const database = hostile.tree.get('generated/api/terraform/database.tf')!;
    expect(database).toContain(
      [
        '# paved override (a reported deviation): Order history outgrew the disk (INC-198)',
        ...ADMIN_ATTACHMENT.split('\n').map((line) => `# ${line}`),
        'resource "aws_db_instance" "main" {',
      ].join('\n'),
    );
    // Outside comments, every file is byte for byte what a one-line reason gives.
    expect([...hostile.tree.keys()]).toEqual([...plain.tree.keys()]);
    for (const [path, contents] of hostile.tree) {
      if (isHcl(path)) expect(codeLines(contents), path).toEqual(codeLines(plain.tree.get(path)!));
      expect(badCommentLines(contents, path), path).toEqual([]);
    }
    expect([...hostile.tree.values()].some((text) => codeLines(text).some((line) => line.includes('AdministratorAccess')))).toBe(false);
  });

  it('a reason that is only line breaks and comment signs stays comments', () => {
    const { errors, tree } = compileTree({ [SPEC]: kubernetesOverride('\n\n# x\n#\n\n---\nkind: Secret\n') });
    expect(errors).toBe('');
    const lines = tree.get('generated/api/kubernetes/production/deployment.yaml')!.split('\n');
    expect(lines.slice(lines.indexOf('# paved override (a reported deviation): '), lines.indexOf('# paved override (a reported deviation): ') + 8)).toEqual([
      '# paved override (a reported deviation): ',
      '#',
      '# # x',
      '# #',
      '#',
      '# ---',
      '# kind: Secret',
      '#',
    ]);
    expectNoInjectedYaml(tree);
  });

  it('a tab in a reason is kept inside its comment line', () => {
    const { errors, tree } = compileTree({ [SPEC]: kubernetesOverride('Needs priority\tduring sales (INC-1)') });
    expect(errors).toBe('');
    expect(tree.get('generated/api/kubernetes/production/deployment.yaml')).toContain(
      '# paved override (a reported deviation): Needs priority\tduring sales (INC-1)\n',
    );
  });

  const rejected: ReadonlyArray<readonly [string, string, string]> = [
    ['CR', '\r', 'U+000D'],
    ['CRLF', '\r\n', 'U+000D'],
    ['NEL', '\u0085', 'U+0085'],
    ['LS', '\u2028', 'U+2028'],
    ['PS', '\u2029', 'U+2029'],
    ['VT', '\u000b', 'U+000B'],
    ['FF', '\u000c', 'U+000C'],
    ['ESC', '\u001b', 'U+001B'],
    ['NUL', '\u0000', 'U+0000'],
    ['DEL', '\u007f', 'U+007F'],
    ['RLO', '\u202e', 'U+202E'],
  ];

  for (const [name, character, codePoint] of rejected) {
    it(`rejects ${name} in a Kubernetes override reason, at the reason`, () => {
      const { result, errors } = compileTree({ [SPEC]: kubernetesOverride(`Needs priority${character}kind: Secret (INC-1)`) });
      expect(result.files).toEqual([]);
      expect(diagnosticLines(errors)).toEqual([
        `${SPEC}:12:15: error SEC.HIDDEN_CHARACTER overrides.kubernetes[0].reason: value contains the invisible or control character ${codePoint}`,
      ]);
    });

    it(`rejects ${name} in a Terraform override reason, at the reason`, () => {
      const { result, errors } = compileTree({ [SPEC]: terraformOverride(`Outgrew the disk${character}resource "x" "y" {} (INC-1)`) });
      expect(result.files).toEqual([]);
      expect(diagnosticLines(errors)).toEqual([
        `${SPEC}:14:15: error SEC.HIDDEN_CHARACTER overrides.terraform[0].reason: value contains the invisible or control character ${codePoint}`,
      ]);
    });
  }
});

describe('descriptions with line breaks', () => {
  it("refuses a line break in a description, at the description: the KMS key's description is printed by terraform plan in a pull request's log", () => {
    const { result, errors } = compileTree({
      [SPEC]: service('api', `description: ${JSON.stringify(`Orders\n::add-mask::paved\n${CLUSTER_ADMIN}`)}\nresources:\n  databases:\n    - name: main\n`),
    });
    expect(result.files).toEqual([]);
    expect(diagnosticLines(errors)).toEqual([
      `${SPEC}:8:14: error SPEC.PATTERN description: "Orders\\n::add-mask::paved\\n---\\napiVersion: rbac.authorizati..." is invalid: it must be one line: no line break`,
    ]);
  });

  for (const [name, character, codePoint] of [
    ['CR', '\r', 'U+000D'],
    ['LS', '\u2028', 'U+2028'],
    ['NEL', '\u0085', 'U+0085'],
    ['a CSI sequence', '\u001b[2J', 'U+001B'],
    ['LRI', '\u2066', 'U+2066'],
  ] as const) {
    it(`rejects ${name} in a description, at the description`, () => {
      const { result, errors } = compileTree({ [SPEC]: service('api', `description: ${JSON.stringify(`Orders${character}kind: Secret`)}\n`) });
      expect(result.files).toEqual([]);
      expect(diagnosticLines(errors)).toEqual([
        `${SPEC}:8:14: error SEC.HIDDEN_CHARACTER description: value contains the invisible or control character ${codePoint}`,
      ]);
    });
  }
});

describe('keys and patch paths', () => {
  it('rejects a line feed or a tab in a key, at the key', () => {
    const { errors } = compileTree({ [SPEC]: service('api', 'env:\n  "A\\nB": x\n  "C\\tD": y\n') });
    expect(diagnosticLines(errors)).toEqual([
      `${SPEC}:9:3: error SEC.HIDDEN_CHARACTER env.A\\u000aB: key contains the control character U+000A`,
      `${SPEC}:10:3: error SEC.HIDDEN_CHARACTER env.C\\u0009D: key contains the control character U+0009`,
    ]);
  });

  it('rejects a line feed in a patch path or from, at the pointer', () => {
    const text = service(
      'api',
      'overrides:\n  kubernetes:\n    - target: Deployment/api\n      reason: "Needs a label (INC-1)"\n      patch:\n        - { op: add, path: "/metadata/labels/a\\nb", value: x }\n        - { op: move, from: "/metadata/labels/x\\ty", path: /metadata/labels/z }\n',
    );
    const { errors } = compileTree({ [SPEC]: text });
    expect(diagnosticLines(errors)).toEqual([
      `${SPEC}:13:28: error SEC.HIDDEN_CHARACTER overrides.kubernetes[0].patch[0].path: JSON pointer contains the control character U+000A`,
      `${SPEC}:14:29: error SEC.HIDDEN_CHARACTER overrides.kubernetes[0].patch[1].from: JSON pointer contains the control character U+0009`,
    ]);
  });

  it('rejects a line feed in a key inside a patch value, and in a platform.yaml key', () => {
    const text = service(
      'api',
      'overrides:\n  kubernetes:\n    - target: Deployment/api\n      reason: "Needs a label (INC-1)"\n      patch:\n        - { op: add, path: /metadata/labels, value: { "a\\nkind: Secret": x } }\n',
    );
    const { errors } = compileTree({ [SPEC]: text, 'platform.yaml': 'apiVersion: paved/v1\nkind: Platform\n"domain\\n": example.com\n' });
    expect(diagnosticLines(errors)).toEqual([
      'platform.yaml:3:1: error SEC.HIDDEN_CHARACTER domain\\u000a: key contains the control character U+000A',
      `${SPEC}:13:55: error SEC.HIDDEN_CHARACTER overrides.kubernetes[0].patch[0].value.a\\u000akind: Secret: key contains the control character U+000A`,
    ]);
  });
});

describe('headers', () => {
  it('a folder name that would continue the header is rejected before any header is written', () => {
    const { result, errors } = compileTree({ [`services/x\n---\nkind: ClusterRoleBinding/service.yaml`]: service('api') });
    expect(result.files).toEqual([]);
    expect(diagnosticLines(errors)).toEqual([
      'services/x·---·kind: ClusterRoleBinding/service.yaml:3:1: error SPEC.FOLDER_PATH the folder "services/x\\n---\\nkind: ClusterRoleBinding" of this service.yaml is not a portable path: the folder name "x\\n---\\nkind: ClusterRoleBinding" holds "\\n"',
    ]);
  });
});

/**
 * The property behind all of the above, over every golden tree: every comment
 * line is `#` or `# text` without hidden characters, the header is the first
 * line, YAML parses back to the documents it should hold with the header as a
 * comment, and no HCL line outside a comment starts with `#`.
 */
describe('every golden YAML and HCL file', () => {
  const cases = goldenCases();

  it('covers the golden cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  for (const name of cases) {
    it(`${name}: comment lines are all "# " lines parsed back as comments, and each YAML file holds its documents`, () => {
      const tree = readTree(join(caseRoot(name), 'expected'));
      let checked = 0;
      for (const [path, contents] of tree) {
        if (!isYaml(path) && !isHcl(path)) continue;
        if (path.endsWith('releases.yaml')) continue;
        checked++;
        expect(contents.startsWith(`# ${GENERATED_MARKER} from `), path).toBe(true);
        expect(contents.endsWith('\n') && !contents.endsWith('\n\n'), path).toBe(true);
        expect(badCommentLines(contents, path), path).toEqual([]);
        if (isYaml(path)) {
          const docs = parseAllDocuments(contents);
          expect(Array.isArray(docs), path).toBe(true);
          const list = docs as ReturnType<typeof parseAllDocuments> & unknown[];
          if (path.endsWith('/catalog-info.yaml')) expect(list.length, path).toBe(codeLines(contents).filter((line) => line === '---').length);
          else expect(list.length, path).toBe(1);
          // The header block is read back as a comment: on the document (before `---`) or on its first key.
          const leading = contents.slice(0, contents.search(/^[^#]/m)).trimEnd().split('\n');
          const first = list[0]!;
          const map = first.contents as { items?: Array<{ key?: { commentBefore?: string } }> } | null;
          const comment = first.commentBefore ?? map?.items?.[0]?.key?.commentBefore;
          expect(
            comment?.split('\n').map((line) => line.trim()),
            path,
          ).toEqual(leading.map((line) => line.replace(/^# ?/, '').trim()));
        }
      }
      expect(checked, name).toBeGreaterThan(0);
    });
  }

  it('reads the goldens from disk, not from a compile', () => {
    expect(readFileSync(join(CASES, 'basic', 'expected', 'generated', 'hello', 'catalog-info.yaml'), 'utf8')).toMatch(/^# /);
  });
});
