#!/usr/bin/env node
import { TasamError } from '@tasam/errors';
import { startDemo } from './start-demo';

async function main(): Promise<void> {
  const { app, url } = await startDemo();
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
