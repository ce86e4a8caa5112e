/**
 * The Teams app package: teams/manifest.json with this deployment's app id
 * and public URL filled in, checked against a zod schema of the fields we
 * use (the limits are those of Microsoft's manifest schema 1.17), and zipped
 * with its two icons.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { colorIcon, outlineIcon } from './png.js';
import { zip } from './zip.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const httpsUrl = z.url().refine((u) => u.startsWith('https://'), 'must be an https URL');
const Scope = z.enum(['personal', 'team', 'groupChat']);

export const TeamsManifest = z.object({
  $schema: z.string().regex(/^https:\/\/developer\.microsoft\.com\/en-us\/json-schemas\/teams\/v1\.(1[7-9]|2\d)\/MicrosoftTeams\.schema\.json$/),
  manifestVersion: z.string().regex(/^1\.(1[7-9]|2\d)$/, 'must be 1.17 or later'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  id: z.string().regex(GUID, 'must be a GUID'),
  developer: z.object({ name: z.string().min(1).max(32), websiteUrl: httpsUrl, privacyUrl: httpsUrl, termsOfUseUrl: httpsUrl }),
  name: z.object({ short: z.string().min(1).max(30), full: z.string().max(100) }),
  description: z.object({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.object({ color: z.literal('color.png'), outline: z.literal('outline.png') }),
  accentColor: z.string().regex(/^#[0-9A-Fa-f]{6}$/),
  bots: z
    .array(
      z.object({
        botId: z.string().regex(GUID, 'must be a GUID'),
        scopes: z.array(Scope).min(1),
        supportsFiles: z.boolean(),
        isNotificationOnly: z.boolean(),
        commandLists: z.array(z.object({ scopes: z.array(Scope).min(1), commands: z.array(z.object({ title: z.string().min(1).max(32), description: z.string().min(1).max(128) })).max(10) })).max(3),
      }),
    )
    .length(1),
  validDomains: z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?$/i, 'must be a host name')),
});
export type TeamsManifest = z.infer<typeof TeamsManifest>;

export interface PackageSettings {
  /** The bot's Microsoft App ID (TEAMS_APP_ID). */
  appId: string;
  /** PUBLIC_URL: the server's https address. */
  publicUrl: string;
}

const required = (message: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message) });
export const Settings = z.object({
  TEAMS_APP_ID: z.string(required('must be a GUID')).regex(GUID, "must be the bot's Microsoft App ID (a GUID)"),
  PUBLIC_URL: z.url(required('must be an https URL')).refine((u) => u.startsWith('https://'), 'must be an https URL'),
});

/** The manifest template with `{{…}}` filled in, validated. */
export function fillManifest(template: string, settings: PackageSettings): TeamsManifest {
  const url = new URL(settings.publicUrl);
  const values: Record<string, string> = { TEAMS_APP_ID: settings.appId, PUBLIC_URL: url.origin, PUBLIC_HOST: url.host };
  const parsed = JSON.parse(template) as unknown;
  // Filled field by field (never as text), so a value cannot break the JSON around it.
  const fill = (node: unknown): unknown =>
    typeof node === 'string'
      ? node.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole)
      : Array.isArray(node)
        ? node.map(fill)
        : node && typeof node === 'object'
          ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]))
          : node;
  const result = TeamsManifest.safeParse(fill(parsed));
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`teams/manifest.json is not a valid Teams manifest:\n${lines.join('\n')}`);
  }
  return result.data;
}

export async function buildTeamsPackage(templatePath: string, settings: PackageSettings): Promise<{ manifest: TeamsManifest; zip: Buffer }> {
  const manifest = fillManifest(await readFile(templatePath, 'utf8'), settings);
  const archive = zip([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: 'color.png', data: colorIcon() },
    { name: 'outline.png', data: outlineIcon() },
  ]);
  return { manifest, zip: archive };
}
