/**
 * `npm run teams:package`: the Teams app package to upload in the Teams
 * admin center or the Developer Portal (docs/teams-setup.md), at
 * dist/teams/govstage-teams.zip.
 *
 *   TEAMS_APP_ID=<the bot's Microsoft App ID> PUBLIC_URL=https://govstage.example.gov npm run teams:package
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildTeamsPackage, Settings } from './teams/manifest.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const PACKAGE_FILE = path.join(ROOT, 'dist/teams/govstage-teams.zip');

async function main(): Promise<number> {
  const settings = Settings.safeParse({ TEAMS_APP_ID: process.env.TEAMS_APP_ID || undefined, PUBLIC_URL: process.env.PUBLIC_URL || undefined });
  if (!settings.success) {
    const lines = settings.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    process.stderr.write(`Set TEAMS_APP_ID and PUBLIC_URL (https), e.g.\n  TEAMS_APP_ID=00000000-0000-0000-0000-000000000000 PUBLIC_URL=https://govstage.example.gov npm run teams:package\n${lines.join('\n')}\n`);
    return 1;
  }
  const { manifest, zip } = await buildTeamsPackage(path.join(ROOT, 'teams/manifest.json'), { appId: settings.data.TEAMS_APP_ID, publicUrl: settings.data.PUBLIC_URL });
  await mkdir(path.dirname(PACKAGE_FILE), { recursive: true });
  await writeFile(PACKAGE_FILE, zip);
  process.stdout.write(`Teams app package for bot ${manifest.bots[0]?.botId ?? ''}: ${path.relative(process.cwd(), PACKAGE_FILE)} (${zip.length} bytes)\n`);
  return 0;
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.filename === process.argv[1];
if (isEntryPoint) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
