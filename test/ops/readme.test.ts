/**
 * The README's commands are the front door: each one it shows is run by a
 * test or a CI step (named below; the test fails when the README gains a
 * command nobody runs, or when the place that runs it no longer does), and
 * every `npm run` it names exists. `npm run validate`, which nothing else
 * runs, is run here.
 */
import { spawnSync } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/server.js';

type Coverage = { file: string; needle: string } | { exempt: string };

/** Each command the README shows, and where it is run. */
const COVERAGE: Record<string, Coverage> = {
  'npm install': { file: '.ci/run', needle: 'npm ci --no-audit --no-fund' }, // npm ci: npm install exactly as the lockfile says
  'npm start': { file: 'test/ops/npm-start.test.ts', needle: "spawn('npm', ['start']" },
  'npm test': { file: '.ci/run', needle: '\nnpm test\n' },
  'export STORE=postgres DATABASE_URL=postgres://govstage:password@127.0.0.1:5432/govstage': { file: 'test/ops/npm-start.test.ts', needle: 'the README\'s PostgreSQL commands' },
  'npm run migrate && npm start': { file: 'test/ops/npm-start.test.ts', needle: 'the README\'s PostgreSQL commands' },
  'npm run build': { file: 'Dockerfile', needle: 'RUN npm run build' },
  'npm run dev': { file: 'test/ops/npm-start.test.ts', needle: "spawn('npm', ['run', 'dev']" },
  'npm run chat': { file: 'test/terminal/terminal-chat.test.ts', needle: 'src/channels/terminal/main.ts' },
  "printf 'start\\nyes\\n…' | npm run chat": { file: 'test/terminal/terminal-chat.test.ts', needle: 'stdin' },
  'npm run chat -- --resume CODE': { file: 'test/terminal/terminal-chat.test.ts', needle: "'--resume'" },
  'npm run chat -- --locale fr': { file: 'test/i18n/french-channels.test.ts', needle: "['--locale', 'fr'" },
  'npm run locales:keys': { file: 'test/i18n/catalogue.test.ts', needle: "spawnSync('npm', ['run', 'locales:keys'" },
  'npm run chat -- --join CODE': { file: 'test/terminal/terminal-join.test.ts', needle: "'--join'" },
  'npm run validate': { file: 'test/ops/readme.test.ts', needle: "spawnSync('npm', ['run', 'validate'" },
  'npm run migrate': { file: 'scripts/container-smoke.ts', needle: "['dist/migrate.js']" },
  'npm run migrate-store -- --from-dir ./data': { file: 'test/store/migrate-store.test.ts', needle: 'scripts/migrate-store.ts' },
  'npm run build:widget': { file: 'test/web/widget-build.test.ts', needle: 'buildWidget(' },
  'npm run lint:openapi': { file: '.ci/run', needle: '\nnpm run lint:openapi\n' },
  'npm run smoke:container': { file: '.ci/run', needle: '\nnpm run smoke:container\n' },
  'npm run teams:package': { file: 'test/teams/package.test.ts', needle: "'teams:package'" },
  'npm ci': { file: 'Dockerfile', needle: 'RUN npm ci --no-audit --no-fund' },
  'npm ci --omit=dev': { file: 'Dockerfile', needle: 'RUN npm ci --omit=dev' },
  'npm run bench': { exempt: 'minutes long and measures the machine: run by hand, never in CI' },
  'node dist/main.js': { file: 'Dockerfile', needle: 'CMD ["node", "--enable-source-maps", "dist/main.js"]' },
  'POSTGRES_PASSWORD=change-me docker compose up -d': { exempt: 'no container engine here; test/ops/container.test.ts checks compose.yaml and the smoke runs the Dockerfile' },
  'docker compose exec govstage node dist/migrate.js': { file: 'scripts/container-smoke.ts', needle: "['dist/migrate.js']" },
  'apt-get install chromium': { file: '.ci/run', needle: 'apt-get install -y -qq chromium' },
  '.ci/run': { exempt: 'CI itself' },
};

/** Commands in the README: lines of its sh blocks, and inline code that starts with a command. */
async function readmeCommands(): Promise<string[]> {
  const text = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    (m[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  const inline = [...text.matchAll(/`((?:npm|node|docker|printf|export|apt-get|POSTGRES_PASSWORD=\S+ docker)\b[^`]*|\.ci\/run)`/g)].map((m) => (m[1] ?? '').replace(/\s*\\\|\s*/g, ' | '));
  // A bare `node`, `npm run` or `export` in a sentence names the tool, not a command.
  return [...new Set([...blocks, ...inline])].filter((c) => !['node', 'npm', 'npm run', 'export'].includes(c));
}

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('the README', () => {
  it('shows no command that no test or CI step runs', async () => {
    const commands = await readmeCommands();
    expect(commands.length).toBeGreaterThan(10);
    const known = Object.keys(COVERAGE);
    const uncovered = commands.filter((c) => !known.includes(c));
    expect(uncovered).toEqual([]);
  });

  it.each(Object.entries(COVERAGE).filter((e): e is [string, { file: string; needle: string }] => 'file' in e[1]))('%s is run in %s', async (_command, { file, needle }) => {
    expect(await readFile(path.join(ROOT, file), 'utf8')).toContain(needle);
  });

  it('names only npm scripts that exist', async () => {
    const scripts = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const text = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const named = [...text.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1] as string);
    for (const name of new Set(named)) expect(scripts[name], name).toBeDefined();
    // The terminal chat test runs what `npm run chat` runs.
    expect(scripts.chat).toContain('src/channels/terminal/main.ts');
  });

  it('npm run validate passes on the content, and names the file and path of a mistake', async () => {
    const ok = spawnSync('npm', ['run', 'validate', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok {2}principle-2-chat v\d+: 14 questions/m);
    const broken = await tempDir('govstage-validate-');
    dirs.push(broken);
    await cp(path.join(ROOT, 'rubric'), path.join(broken, 'rubric'), { recursive: true });
    await cp(path.join(ROOT, 'flows'), path.join(broken, 'flows'), { recursive: true });
    const flow = path.join(broken, 'flows/principle-2.yaml');
    await writeFile(flow, (await readFile(flow, 'utf8')).replace(/^version: \d+/m, 'version: many'));
    const bad = spawnSync('npm', ['run', 'validate', '--silent', '--', broken], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('principle-2.yaml');
    expect(bad.stderr).toContain('version');
  });
});
