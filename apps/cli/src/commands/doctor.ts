import { arch, platform } from 'node:os';
import { locateSamModels, runtimeVersions } from '@tasam/sam-runtime';
import { Command } from 'commander';
import pc from 'picocolors';
import { type CliIO, useColor, writeLine } from '../cli-context';
import { ExitCode } from '../exit-codes';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Everything `tasam` needs at run time, checked without network access. */
export function runDoctorChecks(): DoctorCheck[] {
  const versions = runtimeVersions();
  const checks: DoctorCheck[] = [
    { name: 'node', ok: Number(process.versions.node.split('.')[0]) >= 20, detail: process.version },
    { name: 'platform', ok: true, detail: `${platform()}-${arch()}` },
    {
      name: 'onnxruntime-node',
      ok: !versions['onnxruntime-node'].startsWith('not loadable'),
      detail: versions['onnxruntime-node'],
    },
    { name: 'sharp', ok: !versions.sharp.startsWith('not loadable'), detail: versions.sharp },
  ];
  try {
    const sam = locateSamModels();
    checks.push({ name: 'sam models', ok: true, detail: `${sam.version}: ${sam.encoder}, ${sam.decoder}` });
  } catch (error) {
    checks.push({ name: 'sam models', ok: false, detail: (error as Error).message });
  }
  return checks;
}

export function doctorCommand(io: CliIO, setExitCode: (code: number) => void): Command {
  return new Command('doctor')
    .description('check the runtime, native bindings and bundled models')
    .option('--json', 'print the checks as JSON on stdout')
    .addHelpText('after', '\nExample:\n  $ tasam doctor --json')
    .action((options: { json?: boolean }) => {
      const checks = runDoctorChecks();
      const healthy = checks.every((check) => check.ok);
      if (options.json) {
        writeLine(io.stdout, JSON.stringify({ ok: healthy, checks }));
      } else {
        const color = useColor(io.stdout, io.env);
        for (const check of checks) {
          const mark = check.ok ? (color ? pc.green('ok ') : 'ok ') : color ? pc.red('MISSING') : 'MISSING';
          writeLine(io.stdout, `${mark} ${check.name.padEnd(18)} ${check.detail}`);
        }
      }
      if (!healthy) {
        const missing = checks.filter((check) => !check.ok).map((check) => check.name);
        writeLine(
          io.stderr,
          `tasam doctor: missing ${missing.join(', ')}; run \`pnpm install\` at the repository root`,
        );
        setExitCode(ExitCode.failure);
      }
    });
}
