import type { Language, ResolvedProject, ResolvedService } from '../../spec/model.js';
import type { Step } from './model.js';
import { inRepo, workingDirectory } from './paths.js';
import { PINNED_ACTIONS as A, TOOL_VERSIONS } from './pins.js';
import { setupNode } from './steps.js';
import { CONTAINER_TEST, GO_TEST, MAVEN_VERIFY, NPM_CI, NPM_TEST, PYTHON_INSTALL, PYTHON_TEST } from './scripts.js';

/**
 * The test steps of each language, run in the service's folder. Each follows the
 * ecosystem's plain convention, so a service needs no CI configuration of its own:
 * - node: `npm ci` then `npm test` (package.json and its lockfile in the folder);
 * - go: `go test ./...` with the Go version from the folder's go.mod;
 * - python: requirements.txt and/or pyproject.toml installed, then pytest;
 * - java: Maven, `mvn verify` (a Gradle build can use `container` and test in its Dockerfile);
 * - container: the Dockerfile's `test` stage must build.
 */
export function testSteps(service: ResolvedService, project: ResolvedProject): Step[] {
  const dir = workingDirectory(project, service.directory);
  const run = (name: string, script: string): Step => ({ name, run: script, 'working-directory': dir });
  const steps: Readonly<Record<Language, () => Step[]>> = {
    node: () => [setupNode(), run('Install dependencies', NPM_CI), run('Test', NPM_TEST)],
    go: () => [
      { name: 'Set up Go', uses: A.setupGo, with: { 'go-version-file': inRepo(project, `${service.directory}/go.mod`), cache: false } },
      run('Test', GO_TEST),
    ],
    python: () => [
      { name: 'Set up Python', uses: A.setupPython, with: { 'python-version': TOOL_VERSIONS.python } },
      run('Install dependencies', PYTHON_INSTALL),
      run('Test', PYTHON_TEST),
    ],
    java: () => [
      { name: 'Set up Java', uses: A.setupJava, with: { distribution: TOOL_VERSIONS.javaDistribution, 'java-version': TOOL_VERSIONS.java } },
      run('Test', MAVEN_VERIFY),
    ],
    container: () => [
      {
        name: 'Build the test stage',
        run: CONTAINER_TEST,
        env: { CONTEXT: service.runtime.build.context, DOCKERFILE: service.runtime.build.dockerfile },
        'working-directory': workingDirectory(project),
      },
    ],
  };
  return steps[service.runtime.language]();
}
