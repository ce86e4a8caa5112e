/**
 * The container description, checked without a container engine: the
 * Dockerfile is read by the same parser scripts/container-smoke.ts uses to
 * run its steps (CI runs that script), so both stay in lockstep; here its
 * shape is checked: two stages, production dependencies only, non-root,
 * a health check, node itself as the command, and every file the server
 * reads at run time copied in. compose.yaml runs it with PostgreSQL and only
 * sets variables the configuration knows.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONTAINER_ONLY, parseDockerfile, type Instruction, type Stage } from '../../scripts/container-smoke.js';
import { SERVER_ENTRIES } from '../../scripts/build.js';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { ROOT } from '../helpers/server.js';

const stages = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
const steps = <K extends Instruction['op']>(stage: Stage, op: K) => stage.steps.filter((s): s is Extract<Instruction, { op: K }> => s.op === op);

describe('Dockerfile', () => {
  it('builds in one stage and runs the build in another, from the same Node as engines allows', () => {
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages as [Stage, Stage];
    expect(build.name).toBeDefined();
    expect(build.image).toBe(runtime.image);
    expect(build.image).toMatch(/^node:20\.\d+/);
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const [major, minor] = build.image.slice('node:'.length).split(/[.-]/).map(Number) as [number, number];
    const [, emajor, eminor] = /(\d+)\.(\d+)/.exec(engines)!.map(Number) as [number, number, number];
    expect(major === emajor && minor >= eminor).toBe(true);
    expect(steps(build, 'RUN').map((s) => s.command)).toEqual(['npm ci --no-audit --no-fund', 'npm run build']);
  });

  it('runs with production dependencies only, as a non-root user, with a health check, node as the command', () => {
    const runtime = stages[1]!;
    const runs = steps(runtime, 'RUN').map((s) => s.command);
    expect(runs[0]).toMatch(/^npm ci --omit=dev\b/);
    expect(steps(runtime, 'USER').map((s) => s.value)).toEqual(['node']);
    const health = steps(runtime, 'HEALTHCHECK')[0];
    expect(health?.argv.join(' ')).toContain('/healthz');
    const cmd = steps(runtime, 'CMD')[0]?.argv ?? [];
    expect(cmd[0]).toBe('node');
    expect(cmd.at(-1)).toBe(`dist/${Object.keys(SERVER_ENTRIES)[0]}.js`);
    expect(Object.keys(SERVER_ENTRIES)).toContain('main');
    const env = Object.assign({}, ...steps(runtime, 'ENV').map((s) => s.vars)) as Record<string, string>;
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0' });
    for (const name of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(name);
  });

  it('copies in what the server reads at run time, from files that exist', () => {
    const runtime = stages[1]!;
    const copied = steps(runtime, 'COPY').flatMap((c) => c.sources.map((s) => (c.from ? `${c.from}:${s}` : s)));
    for (const needed of ['package.json', 'package-lock.json', 'build:/app/dist', 'rubric', 'flows', 'locales', 'public', 'LICENSE']) expect(copied).toContain(needed);
    for (const stage of stages) for (const c of steps(stage, 'COPY')) if (!c.from) for (const s of c.sources) expect(existsSync(path.join(ROOT, s)), s).toBe(true);
  });

  it('has only RUN steps the smoke script can repeat or knows to be image-only', () => {
    const runs = stages.flatMap((s) => steps(s, 'RUN').map((r) => r.command));
    for (const run of runs) expect(CONTAINER_ONLY.includes(run) || run.split('&&').every((p) => /^npm\s/.test(p.trim())), run).toBe(true);
    for (const only of CONTAINER_ONLY) expect(runs).toContain(only);
  });

  it('.dockerignore keeps local state out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', 'data', '.env', '.git']) expect(ignored).toContain(entry);
  });
});

describe('compose.yaml', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8')) as {
    services: Record<string, { build?: string; image?: string; environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown }>;
  };

  it('runs the image on PostgreSQL, after the database is healthy', () => {
    const app = compose.services.govstage!;
    expect(app.build).toBe('.');
    expect(app.environment?.STORE).toBe('postgres');
    expect(app.environment?.DATABASE_URL).toMatch(/^postgres:\/\/govstage:\$\{POSTGRES_PASSWORD[^}]*\}@db:5432\/govstage$/);
    expect(app.depends_on?.db?.condition).toBe('service_healthy');
    expect(compose.services.db?.image).toMatch(/^postgres:/);
    expect(compose.services.db?.healthcheck).toBeDefined();
  });

  it('sets only variables the configuration knows', () => {
    for (const name of Object.keys(compose.services.govstage?.environment ?? {})) expect(CONFIG_VARIABLES, name).toContain(name);
  });
});
