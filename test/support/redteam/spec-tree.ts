import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CST, Lexer, parseAllDocuments } from 'yaml';
import { formatText } from '../../../cli/format.js';
import type { CompileResult } from '../../../compiler/compile.js';
import { HIDDEN_CHARACTER } from '../../../spec/text.js';
import { compileDir, scratchCopy } from '../helpers.js';

/** A repository written from path → text (folder names may be hostile), compiled in memory. */
export function compileTree(files: Readonly<Record<string, string>>): { result: CompileResult; errors: string; tree: Map<string, string> } {
  const scratch = scratchCopy();
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(scratch.dir, path)), { recursive: true });
      writeFileSync(join(scratch.dir, path), text);
    }
    const result = compileDir(scratch.dir);
    return { result, errors: formatText(result.diagnostics, result.sources), tree: new Map(result.files.map((f) => [f.path, f.contents])) };
  } finally {
    scratch.cleanup();
  }
}

/** The first line of each diagnostic, as the CLI prints it: `file:line:col: error CODE message`. */
export function diagnosticLines(errors: string): string[] {
  return errors.split('\n').filter((line) => /^\S.*: (error|warning) /.test(line));
}

/** A service.yaml with `extra` appended (top-level keys). */
export function service(name: string, extra = ''): string {
  return `apiVersion: paved/v1\nkind: Service\nname: ${name}\nowner: team-core\nruntime:\n  language: node\n  port: 8080\n${extra}`;
}

const COMMENT_LINE = /^\s*#/;

const isBadComment = (comment: string): boolean => !/^#(?: .*)?$/.test(comment) || HIDDEN_CHARACTER.test(comment) || /[\r\u0085\u2028\u2029]/.test(comment);

/**
 * The comments that are not `#` or `# text` without hidden characters. In YAML
 * the comments are those the YAML lexer reads as comments (a `#` inside a block
 * scalar is text); in HCL, which paved writes without heredocs, every line whose
 * first non-blank character is `#`.
 */
export function badCommentLines(contents: string, path = 'x.tf'): string[] {
  if (isYaml(path)) return [...new Lexer().lex(contents)].filter((token) => CST.tokenType(token) === 'comment' && isBadComment(token));
  return contents.split('\n').filter((line) => COMMENT_LINE.test(line) && isBadComment(line.trimStart()));
}

/** The lines of a YAML or HCL file that are not comments: what a reader acts on. */
export function codeLines(contents: string): string[] {
  return contents.split('\n').filter((line) => !COMMENT_LINE.test(line));
}

/** Every document of a YAML file, parsed as Kubernetes or GitHub would (errors fail the test). */
export function yamlDocuments(contents: string): unknown[] {
  const docs = parseAllDocuments(contents);
  if (!Array.isArray(docs)) throw new Error('empty YAML stream');
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`YAML does not parse: ${doc.errors[0]!.message}`);
  return docs.map((doc) => doc.toJS());
}

export const isYaml = (path: string): boolean => /\.ya?ml$/.test(path);
export const isHcl = (path: string): boolean => /\.(tf|tfvars|tfbackend)$/.test(path);
