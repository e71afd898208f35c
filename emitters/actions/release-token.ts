import type { ResolvedProject } from '../../spec/model.js';
import type { Step } from './model.js';
import { PINNED_ACTIONS as A } from './pins.js';

/** The id of the step that mints the release token, read by the step after it. */
const MINT_STEP = 'release-token';

/**
 * How a release job gets the token it pushes a deploy branch with: minted in
 * the job from platform.yaml's `ci.releaseApp` (an installation token of the
 * App, contents write on this repository only, revoked when the job ends), or
 * else the Actions secret `ci.releaseToken` names. `steps` go before the step
 * that reads `token` (an expression, for its env).
 */
export function releaseToken(project: ResolvedProject): { readonly steps: readonly Step[]; readonly token: string } {
  const app = project.platform.ci.releaseApp;
  if (app === undefined) return { steps: [], token: `\${{ secrets.${project.platform.ci.releaseToken} }}` };
  return {
    steps: [
      {
        name: 'Mint the release token',
        id: MINT_STEP,
        uses: A.createGithubAppToken,
        with: { 'client-id': app.clientId, 'private-key': `\${{ secrets.${app.privateKeySecret} }}`, 'permission-contents': 'write' },
      },
    ],
    token: `\${{ steps.${MINT_STEP}.outputs.token }}`,
  };
}
