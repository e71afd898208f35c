/**
 * Every action the generated workflows use, pinned to the full commit SHA of a
 * release tag (zizmor unpinned-uses: a tag can be moved, a commit cannot). The
 * only place an action reference is written; workflows print `repo@sha # version`.
 *
 * To update one: pick the new release tag, resolve it to its commit on the
 * action's own repository (`git ls-remote https://github.com/<repo> refs/tags/<tag>`,
 * peeling an annotated tag with `^{}`), replace `sha` and `version` here together,
 * record where the SHA was checked in `verified`, then run `npm run fixtures:update`
 * and review the diff. The Node 24 releases (checkout v5, setup-* v5/v6,
 * configure-aws-credentials v5) need runner 2.327.1 or newer.
 */
export interface PinnedAction {
  readonly repo: string;
  /** 40 hex digits: the commit the release tag points at. */
  readonly sha: string;
  /** The release tag, printed as the comment after the SHA. */
  readonly version: string;
  /** How the SHA was checked against the tag, for the next reviewer. */
  readonly verified: string;
}

const pin = (repo: string, version: string, sha: string, verified: string): PinnedAction => ({ repo, version, sha, verified });

export const PINNED_ACTIONS = {
  checkout: pin(
    'actions/checkout',
    'v5.0.0',
    '08c6903cd8c0fde910a37f88322edcfb5dd907a8',
    'Dependabot release notes list 08c6903 as "Prepare v5.0.0 release (#2238)"; the same SHA carries "# v5.0.0" in independent public workflows',
  ),
  setupNode: pin(
    'actions/setup-node',
    'v6.0.0',
    '2028fbc5c25fe9cf00d9f06a71cc4710d4507903',
    'pinned as "# v6.0.0" in at least ten independent public workflows',
  ),
  setupGo: pin(
    'actions/setup-go',
    'v6.0.0',
    '44694675825211faa026b3c33043df3e48a5fa00',
    'pinned as "# v6.0.0" in independent public workflows, and linked as the v6.0.0 commit in public pin tables',
  ),
  setupPython: pin(
    'actions/setup-python',
    'v6.0.0',
    'e797f83bcb11b83ae66e0230d6156d7c80228e7c',
    'Dependabot release notes list e797f83 ("Upgrade to node 24 (#1164)") for v6.0.0; pinned as "# v6.0.0" in independent public workflows',
  ),
  setupJava: pin(
    'actions/setup-java',
    'v5.0.0',
    'dded0888837ed1f317902acf8a20df0ad188d165',
    'pinned as "# v5.0.0" in independent public workflows and pin tables',
  ),
  dockerLogin: pin(
    'docker/login-action',
    'v3.6.0',
    '5e57cd118135c172c3672efd75eb46360885c0ef',
    'pinned as "# v3.6.0" in at least ten independent public workflows',
  ),
  dockerSetupBuildx: pin(
    'docker/setup-buildx-action',
    'v3.11.1',
    'e468171a9de216ec08956ac3ada2f0791b6bd435',
    'Dependabot release notes list e468171 (merge of #429) for the v3.11 release; pinned as "# v3.11.1" in independent public workflows',
  ),
  dockerBuildPush: pin(
    'docker/build-push-action',
    'v6.18.0',
    '263435318d21b8e681c14492fe198d362a7d2c83',
    'pinned as "# v6.18.0" in at least ten independent public workflows',
  ),
  awsCredentials: pin(
    'aws-actions/configure-aws-credentials',
    'v5.0.0',
    'a03048d87541d1d9fcf2ecf528a4a65ba9bd7838',
    'Dependabot release notes list a03048d as "chore(main): release 5.0.0"',
  ),
  setupTerraform: pin(
    'hashicorp/setup-terraform',
    'v3.1.2',
    'b9cd54a3c349d3f38e8881555d616ced269862dd',
    'pinned as "# v3.1.2" in independent public workflows and linked as the v3 commit in public pin tables',
  ),
  uploadArtifact: pin(
    'actions/upload-artifact',
    'v4.6.2',
    'ea165f8d65b6e75b540449e92b4886f43607fa02',
    'pinned as "# v4.6.2" in independent public workflows and listed for v4.6.2 in public pin tables',
  ),
  createGithubAppToken: pin(
    'actions/create-github-app-token',
    'v3.1.1',
    '1b10c78c7865c340bc4f6099eb2f838309f1e8c3',
    "the commit the v3.1.1 tag (and v3) points at in the action's own repository, read with git rev-list from a mirror of actions/create-github-app-token",
  ),
  downloadArtifact: pin(
    'actions/download-artifact',
    'v4.3.0',
    'd3f86a106a0bac45b974a628896c90dbdf5c8093',
    'pinned as "# v4.3.0" in independent public workflows and listed for v4.3.0 in public pin tables',
  ),
  cacheRestore: pin(
    'actions/cache/restore',
    'v5.0.5',
    '27d5ce7f107fe9357f9df03efb73ab90386fccae',
    "the commit the v5.0.5 tag (and v5) points at in the action's own repository, read with git rev-list from a mirror of actions/cache; restore/ and save/ are its sub-actions",
  ),
  cacheSave: pin(
    'actions/cache/save',
    'v5.0.5',
    '27d5ce7f107fe9357f9df03efb73ab90386fccae',
    "the commit the v5.0.5 tag (and v5) points at in the action's own repository, read with git rev-list from a mirror of actions/cache",
  ),
} as const satisfies Readonly<Record<string, PinnedAction>>;

/**
 * Tool versions the workflows install. Services pick their own language version
 * where the ecosystem has a file for it (go.mod); elsewhere these apply.
 */
export const TOOL_VERSIONS = {
  /** Runs paved itself (>= 20.19) and node services' tests. */
  node: '22',
  python: '3.12',
  java: '21',
  javaDistribution: 'temurin',
  /** The version conformance.md validates the generated stacks with. */
  terraform: '1.11.4',
} as const;

/**
 * A fixed runner image rather than `ubuntu-latest`, so a GitHub image rollover is
 * a reviewed change here. It ships the AWS CLI, kubectl, Docker with buildx, git
 * and jq, which the scripts use without installing them.
 */
export const RUNNER = 'ubuntu-24.04';
