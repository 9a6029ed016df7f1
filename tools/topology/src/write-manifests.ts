import { join } from 'node:path';
import { writeManifests } from './manifests';

/** `npm run manifests` (from the checkout's root): regenerates deploy/'s generated files. */
for (const file of writeManifests(join(process.cwd(), 'deploy'))) {
  process.stdout.write(`deploy/${file}\n`);
}
