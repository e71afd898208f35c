import { describe, expect, it } from 'vitest';
import { inRepo } from '../../../emitters/actions/paths.js';
import { checkExpressions } from '../../../emitters/actions/render.js';
import type { ResolvedProject } from '../../../spec/model.js';
import { compileTree, diagnosticLines, service, yamlDocuments } from '../../support/redteam/spec-tree.js';

/**
 * Red team, class "hostile folder names": a service's folder path reaches the
 * header of every generated file, the workflow's `paths:` filters and the
 * Docker build context. It is validated like a name (portable characters,
 * no leading `.` or `-`, bounded length), with the diagnostic at the
 * service.yaml's `name:`; behind that, the workflow renderer refuses paths and
 * GitHub expressions paved did not make.
 */

const HINT =
  '  hint: rename the folder to letters, digits, ".", "_" and "-" (e.g. services/orders): its path is written into workflows, the Docker build context and every generated file';

function rejectedFolder(folder: string): { lines: string[]; errors: string } {
  const { result, errors } = compileTree({ [`${folder}/service.yaml`]: service('api') });
  expect(result.files).toEqual([]);
  return { lines: diagnosticLines(errors), errors };
}

const show = (text: string): string => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('service folder names', () => {
  const cases: ReadonlyArray<readonly [string, string, string, string]> = [
    // what, folder, the file as printed, the problem
    [
      'a line break that would continue the header',
      'services/api\n---\nkind: Secret',
      'services/api·---·kind: Secret',
      `the folder name ${show('api\n---\nkind: Secret')} holds "\\n"`,
    ],
    ['a GitHub expression', 'services/${{ toJSON(secrets) }}', 'services/${{ toJSON(secrets) }}', 'the folder name "${{ toJSON(secrets) }}" holds "$"'],
    ['a shell substitution', 'services/$(curl evil)', 'services/$(curl evil)', 'the folder name "$(curl evil)" holds "$"'],
    ['a leading dash, read as an option', 'services/-rf', 'services/-rf', 'the folder name "-rf" starts with "-"'],
    ['a leading dot, a hidden folder', 'services/.api', 'services/.api', 'the folder name ".api" starts with "."'],
    ['only dots', 'services/...', 'services/...', 'the folder name "..." starts with "."'],
    ['a space', 'services/my api', 'services/my api', 'the folder name "my api" holds " "'],
    ['a quote', "services/it's", "services/it's", 'the folder name "it\'s" holds "\'"'],
    ['a double quote', 'services/a"b', 'services/a"b', 'the folder name "a\\"b" holds "\\""'],
    ['a backslash', 'services/a\\b', 'services/a\\b', 'the folder name "a\\\\b" holds "\\\\"'],
    ['a glob star that widens the paths filter', 'services/*', 'services/*', 'the folder name "*" holds "*"'],
    ['a colon', 'services/a:b', 'services/a:b', 'the folder name "a:b" holds ":"'],
    ['a hash that would start a comment', 'services/a #b', 'services/a #b', 'the folder name "a #b" holds " "'],
    ['a non-ASCII letter', 'services/sérvice', 'services/sérvice', 'the folder name "s\\u00e9rvice" holds "\\u00e9"'],
    ['a right-to-left override', 'services/a\u202eb', 'services/a·b', 'the folder name "a\\u202eb" holds "\\u202e"'],
    ['a tab', 'services/a\tb', 'services/a·b', 'the folder name "a\\tb" holds "\\t"'],
    ['a carriage return', 'services/a\rb', 'services/a·b', 'the folder name "a\\rb" holds "\\r"'],
    ['an escape sequence', 'services/a\u001b[2Jb', 'services/a·[2Jb', 'the folder name "a\\u001b[2Jb" holds "\\u001b"'],
    ['a hostile name deeper down', 'services/ok/${x}/api', 'services/ok/${x}/api', 'the folder name "${x}" holds "$"'],
  ];

  for (const [what, folder, printed, problem] of cases) {
    it(`rejects a folder with ${what}, at name:`, () => {
      const { lines, errors } = rejectedFolder(folder);
      expect(lines).toEqual([
        `${printed}/service.yaml:3:1: error SPEC.FOLDER_PATH the folder ${show(folder)} of this service.yaml is not a portable path: ${problem}`,
      ]);
      expect(errors).toContain(HINT);
      // Nothing the CLI prints holds the raw line break, carriage return or escape.
      expect(errors).not.toMatch(/[\r\u001b\u202e]/);
    });
  }

  it('rejects a folder name longer than 100 characters', () => {
    const long = 'a'.repeat(101);
    expect(rejectedFolder(`services/${long}`).lines).toEqual([
      `services/${long}/service.yaml:3:1: error SPEC.FOLDER_PATH the folder "services/${'a'.repeat(48)}..." of this service.yaml is not a portable path: the folder name "${'a'.repeat(57)}..." is 101 characters long, over 100`,
    ]);
  });

  it('rejects a folder path longer than 200 characters', () => {
    const folder = ['x'.repeat(70), 'y'.repeat(70), 'z'.repeat(70)].join('/');
    expect(rejectedFolder(folder).lines).toEqual([
      `${folder}/service.yaml:3:1: error SPEC.FOLDER_PATH the folder "${'x'.repeat(57)}..." of this service.yaml is not a portable path: it is 212 characters long, over 200`,
    ]);
  });

  it('reports every hostile folder in one pass, and no valid one', () => {
    const { result, errors } = compileTree({
      'services/good/service.yaml': service('good'),
      'services/b d/service.yaml': service('bad'),
      'services/-x/service.yaml': service('worse'),
    });
    expect(result.files).toEqual([]);
    expect(diagnosticLines(errors).map((line) => line.slice(0, line.indexOf(' error')))).toEqual([
      'services/-x/service.yaml:3:1:',
      'services/b d/service.yaml:3:1:',
    ]);
  });

  it('accepts a portable folder and writes it as is into the header, the paths filter and the build context', () => {
    const folder = 'services/Team_A/api-2.0';
    const { errors, tree } = compileTree({ [`${folder}/service.yaml`]: service('api') });
    expect(errors).toBe('');
    const workflow = tree.get('.github/workflows/paved-api.yml')!;
    expect(workflow.split('\n')[0]).toBe(`# ${['Code', 'generated', 'by', 'paved'].join(' ')} from ${folder}/service.yaml. DO NOT EDIT.`);
    const parsed = yamlDocuments(workflow)[0] as {
      on: { push: { paths: string[] } };
      jobs: Record<string, { steps: Array<{ with?: Record<string, unknown> }> }>;
    };
    expect(parsed.on.push.paths).toContain(`${folder}/**`);
    const contexts = Object.values(parsed.jobs).flatMap((job) => job.steps.map((step) => step.with?.context).filter((c) => c !== undefined));
    expect(contexts.length).toBeGreaterThan(0);
    expect(new Set(contexts)).toEqual(new Set([folder]));
  });
});

describe('the workflow renderer, behind validation', () => {
  const project = { platform: { gitops: { path: '.' } } } as unknown as ResolvedProject;

  it('refuses a workflow path that is not portable', () => {
    expect(inRepo(project, 'services/api')).toBe('services/api');
    expect(() => inRepo(project, 'services/${{ toJSON(secrets) }}')).toThrow('workflow paths: "services/${{ toJSON(secrets) }}" is not a portable path');
    expect(() => inRepo(project, 'services/a\nb')).toThrow('workflow paths: "services/a\\nb" is not a portable path');
    expect(() => inRepo(project, 'services/*')).toThrow('workflow paths: "services/*" is not a portable path');
  });

  it("accepts paved's own expressions", () => {
    expect(() =>
      checkExpressions(
        {
          a: '${{ github.sha }}',
          b: ['pr-${{ github.event.pull_request.number }}-${{ github.sha }}'],
          c: {
            d: "${{ github.event_name == 'pull_request' }}",
            e: '${{ github.event.pull_request.number || github.ref }}',
            f: '${{ secrets.REGISTRY_PASSWORD }}',
          },
        },
        'w.yml',
      ),
    ).not.toThrow();
  });

  for (const [what, text] of [
    ['a function over all secrets', '${{ toJSON(secrets) }}'],
    ['a whole context', '${{ secrets }}'],
    ['a function call', '${{ format(github.token) }}'],
    ['an expression left open', 'x ${{ github.sha'],
    ['a second expression after a valid one', '${{ github.sha }}-${{ toJSON(github) }}'],
    ['an unknown context', '${{ env.TOKEN }}'],
    ['an injected literal', "${{ github.ref == 'a' }}' || true }}${{ x"],
  ] as const) {
    it(`refuses ${what} anywhere in a workflow`, () => {
      expect(() => checkExpressions({ jobs: { a: { steps: [{ with: { context: text } }] } } }, 'w.yml')).toThrow(
        `workflow renderer: w.yml would carry a GitHub expression paved did not write: ${JSON.stringify(text)}`,
      );
    });
  }
});
