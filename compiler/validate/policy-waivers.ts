import type { Diagnostic } from '../../spec/diagnostic.js';
import type { DiagnosticCode } from '../../spec/diagnostic-codes.js';
import type { PlatformSpec } from '../../spec/types.js';
import { didYouMean } from '../diagnostics.js';
import { RULE_IDS } from '../policy/registry.js';
import { positioned } from '../positions.js';
import type { SourceFile } from '../source.js';
import { showString } from './text.js';

/**
 * platform.yaml `overridePolicy.waivers`: each names a rule id the policy
 * registry knows, and services that exist. A typo would waive nothing while
 * looking as if it did, so it is an error.
 */
export function checkPlatformWaivers(file: SourceFile, platform: PlatformSpec, services: readonly string[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (pointer: string, code: DiagnosticCode, message: string, hint: string): void => {
    diagnostics.push(positioned(file, pointer, code, message, { hint }));
  };
  for (const [index, waiver] of (platform.overridePolicy?.waivers ?? []).entries()) {
    const at = `/overridePolicy/waivers/${index}`;
    if (!RULE_IDS.has(waiver.rule)) {
      const suggestion = didYouMean(waiver.rule, RULE_IDS);
      report(
        `${at}/rule`,
        'POLICY.UNKNOWN_RULE',
        `no policy rule has the id ${showString(waiver.rule)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        suggestion ? `write "${suggestion}"` : 'use a rule id from docs/security.md (e.g. CKV_K8S_20, KS deployment-replicas)',
      );
    }
    for (const [i, name] of (waiver.services ?? []).entries()) {
      if (services.includes(name)) continue;
      const suggestion = didYouMean(name, services);
      report(
        `${at}/services/${i}`,
        'REF.UNKNOWN_SERVICE',
        `no service named ${showString(name)} in this repository${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        suggestion ? `write "${suggestion}"` : 'list services by their name in service.yaml',
      );
    }
  }
  return diagnostics;
}
