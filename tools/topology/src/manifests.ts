import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SERVICES } from '@casegrid/contracts';
import {
  alertManifests,
  composeGatewayConfig,
  composeTopicsScript,
  gatewayConfig,
  gatewayManifests,
  serviceManifests,
  topicManifests,
} from './kubernetes';

/** deploy/ itself: the generated files of the base and of the compose topology. */
export const DEPLOY = join(__dirname, '../../../deploy');

const yamlAll = (docs: object[]) => docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');

/**
 * Each generated file of deploy/ and what its generator makes of it. `npm run manifests`
 * writes them; the deploy spec checks the files are what they make.
 */
export const GENERATED: Readonly<Record<string, () => string>> = {
  ...Object.fromEntries(
    SERVICES.map((s) => [`base/casegrid-${s}.yaml`, () => yamlAll(serviceManifests(s))]),
  ),
  'base/gateway.yaml': () => yamlAll(gatewayManifests()),
  'base/gateway/nginx.conf': gatewayConfig,
  'base/kafka-topics.yaml': () => yamlAll(topicManifests()),
  'base/alerts.yaml': () => yamlAll(alertManifests()),
  'compose/nginx.conf': composeGatewayConfig,
  'compose/topics.sh': composeTopicsScript,
};

/** Writes every generated file under `deploy` (deploy/ of a checkout); returns their paths. */
export const writeManifests = (deploy: string): string[] =>
  Object.entries(GENERATED).map(([file, make]) => {
    writeFileSync(join(deploy, file), make());
    return file;
  });
