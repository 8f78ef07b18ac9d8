#!/usr/bin/env node
import { TasamError } from '@tasam/errors';
import { startDemo } from './start-demo';

const USAGE = `usage: tasam-demo [--allowed-host NAME]... [--max-wait SECONDS] [--no-model-worker]

  --allowed-host NAME   also serve requests whose Host is NAME (any port) or NAME:PORT; repeatable
                        (default: only localhost, 127.0.0.1 and [::1] on the port it listens on)
  --max-wait SECONDS    admission bound: a request the model would not answer within it gets 503 (default 10)
  --no-model-worker     run the models on the server's thread instead of a worker thread (debugging); the
                        server then reads no request while a model runs

Other settings come from the environment (PORT, HOST, TASAM_DEMO_*): see the README.
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const { app, url } = await startDemo(process.env, { argv });
  process.stderr.write(`tasam demo: serving ${url}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

main().catch((error: unknown) => {
  const message = TasamError.isInstance(error) || error instanceof Error ? error.message : String(error);
  process.stderr.write(`tasam demo: ${message}\n`);
  process.exit(1);
});
