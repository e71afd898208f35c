/**
 * How paved runs git on the repository it compiles, whose committed files are
 * a service team's: git finds the repository from the root's own folders and
 * `.git`, never from files committed there or from the environment.
 *
 * - `safe.bareRepository=explicit`: a root folder holding committed `HEAD`,
 *   `objects/` and `refs/` is otherwise a bare repository to git, found before
 *   the real `.git` above it, whose commits, trees and blobs the committer
 *   chose (git 2.38 and later; gitWorkTreePrefix holds older gits to the same).
 * - No GIT_DIR, GIT_WORK_TREE and the like from the environment: git sets
 *   GIT_DIR for the hooks of a linked worktree, and `-C <root>` then makes the
 *   root the top of the work tree, so paths come out relative to the wrong
 *   folder. GIT_INDEX_FILE stays: a hook's index is as good a witness of the
 *   work tree as the default one.
 */
export function gitArguments(root: string, args: readonly string[]): string[] {
  return ['-c', 'safe.bareRepository=explicit', '-C', root, ...args];
}

const FROM_ENVIRONMENT = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES'];

/** The environment git runs in: this process's, without the variables that name another repository (gitArguments). */
export function gitEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of FROM_ENVIRONMENT) delete env[name];
  return env;
}

/**
 * The root's place in its work tree from `git rev-parse --is-inside-work-tree
 * --show-prefix` (`infra/`, or empty at the top), or undefined when the root
 * is not inside a work tree (a bare repository, whichever git found it).
 * Only the line break is cut: a folder name may begin or end with a space.
 */
export function gitWorkTreePrefix(answer: string | undefined): string | undefined {
  const lines = answer?.split('\n');
  return lines !== undefined && lines.length === 3 && lines[0] === 'true' && lines[2] === '' ? lines[1] : undefined;
}
