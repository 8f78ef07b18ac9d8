import { captureIO } from '../test/capture-io';
import { ExitCode } from './exit-codes';
import { runCli } from './program';

describe('runCli', () => {
  it('prints the version', async () => {
    const io = captureIO();
    expect(await runCli(['--version'], io)).toBe(ExitCode.ok);
    expect(io.out().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists subcommands in --help', async () => {
    const io = captureIO();
    expect(await runCli(['--help'], io)).toBe(ExitCode.ok);
    expect(io.out()).toContain('doctor');
  });

  it('rejects an unknown flag with exit code 2 and a usage hint', async () => {
    const io = captureIO();
    expect(await runCli(['doctor', '--frobnicate'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain("unknown option '--frobnicate'");
    expect(io.err()).toContain('tasam doctor --help');
  });

  it('rejects an unknown command with exit code 2', async () => {
    const io = captureIO();
    expect(await runCli(['segmnet'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain("unknown command 'segmnet'");
  });

  it('doctor --json reports healthy checks and writes only JSON to stdout', async () => {
    const io = captureIO();
    expect(await runCli(['doctor', '--json'], io)).toBe(ExitCode.ok);
    const report = JSON.parse(io.out()) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual(
      expect.arrayContaining(['node', 'onnxruntime-node', 'sharp', 'sam models']),
    );
    expect(io.err()).toBe('');
  });

  it('doctor prints plain text without colour when NO_COLOR is set', async () => {
    const io = captureIO({ NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(await runCli(['doctor'], io)).toBe(ExitCode.ok);
    expect(io.out()).toMatch(/^ok {2}node/m);
    expect(io.out()).not.toContain('\u001b[');
  });
});
