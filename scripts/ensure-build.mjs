// Runs before `npm start` (and the npm run commands that use dist/): builds
// when dist/ is missing or older than the sources, and does nothing
// otherwise, so a start never writes anything when the build is current (a
// read-only file system is fine) and a fresh clone's `npm install && npm
// start` just works. In a production image without src/ the build there is
// taken as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BUILD_INFO, ROOT, inputsHash } from './build-inputs.mjs';

function recordedHash() {
  try {
    return JSON.parse(readFileSync(BUILD_INFO, 'utf8')).inputsHash;
  } catch {
    return undefined;
  }
}

const wanted = inputsHash();
const built = existsSync(path.join(ROOT, 'dist', 'main.js')) && existsSync(BUILD_INFO);
if (wanted === undefined) {
  if (!built) {
    process.stderr.write('Govstage: dist/ is missing and there are no sources to build it from.\n');
    process.exit(1);
  }
} else if (!built || recordedHash() !== wanted) {
  let tsx;
  try {
    tsx = createRequire(path.join(ROOT, 'package.json')).resolve('tsx/cli');
  } catch {
    process.stderr.write('Govstage: dist/ is missing or stale and tsx is not installed to build it; run `npm install`, then `npm run build`.\n');
    process.exit(1);
  }
  process.stderr.write(built ? 'Govstage: sources changed since the last build; building dist/\n' : 'Govstage: building dist/ (first start)\n');
  const result = spawnSync(process.execPath, [tsx, path.join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
