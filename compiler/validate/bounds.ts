import type { Diagnostic } from '../../spec/diagnostic.js';
import { ENVIRONMENTS } from '../../spec/model.js';
import { serviceLimits } from '../../spec/service-schema.js';
import { positioned } from '../positions.js';
import type { ServiceInput } from './rules.js';

/**
 * Bounds a schema cannot express because they add up across keys. Every
 * container of a service (its server and each cron job) carries the whole env of
 * its environment, so the env's size is multiplied by the cron jobs and the
 * environments in the output: the schema bounds the counts, this bounds the bytes.
 */
export function checkBounds(services: readonly ServiceInput[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const { file, spec } of services) {
    const shared = envBytes(spec.env);
    for (const env of ENVIRONMENTS) {
      const own = spec.environments?.[env]?.env;
      const total = shared + envBytes(own);
      if (total <= serviceLimits.envBytes) continue;
      // Blame the environment's own map when it tips the balance, else the shared one.
      const pointer = own && Object.keys(own).length > 0 ? `/environments/${env}/env` : '/env';
      diagnostics.push(
        positioned(
          file,
          pointer,
          'SPEC.ENV_TOO_LARGE',
          `the env variables of ${env} add up to ${total} bytes of names and values; the limit is ${serviceLimits.envBytes}`,
          { hint: 'every container (server, cron jobs and jobs) carries the whole env: move large configuration into a file in the image or a config service' },
        ),
      );
      // The shared map is reported once, not once per environment.
      if (pointer === '/env') break;
    }
  }
  return diagnostics;
}

function envBytes(env: Readonly<Record<string, string>> | undefined): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(env ?? {})) bytes += name.length + value.length;
  return bytes;
}
