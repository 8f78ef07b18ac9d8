/**
 * Quantises MobileSAM's encoder to int8 (see encoder-quantization.ts) and checks the result's SHA-256 against
 * the one recorded for its source: the same recipe on the same source always gives the same bytes.
 *
 *   pnpm --filter @tasam/sam-runtime quantize-encoder [-- --model encoder.onnx --out encoder-int8.onnx]
 *
 * Without --out nothing is written (the check alone). SamRuntime does the same on first use of
 * `encoderPrecision: 'int8'` and caches the file in its modelCacheDir.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KNOWN_INT8_ENCODERS, quantizeEncoder } from '../encoder-quantization';
import { locateSamModels } from '../model-files';

function main(): number {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const model = resolve(flag('model') ?? locateSamModels().encoder);
  const out = flag('out');
  const source = readFileSync(model);
  const sourceSha = createHash('sha256').update(source).digest('hex');
  const started = performance.now();
  const { bytes, summary } = quantizeEncoder(source, model);
  const sha = createHash('sha256').update(bytes).digest('hex');
  console.log(`source   ${model}`);
  console.log(`         ${source.length} bytes, SHA-256 ${sourceSha}`);
  console.log(
    `int8     ${bytes.length} bytes, SHA-256 ${sha} (${(performance.now() - started).toFixed(0)} ms)`,
  );
  console.log(
    `         ${summary.quantizedMatMuls} MatMul -> DynamicQuantizeMatMul (${summary.fusedBiases} with their bias Add), ` +
      `${summary.quantizedParameters} weights int8, ${summary.floatMatMuls} MatMul left float`,
  );
  if (out) {
    writeFileSync(resolve(out), bytes);
    console.log(`written  ${resolve(out)}`);
  }
  const expected = KNOWN_INT8_ENCODERS[sourceSha];
  if (!expected) {
    console.log('checksum: no SHA-256 recorded for this source encoder (KNOWN_INT8_ENCODERS)');
    return 0;
  }
  if (expected !== sha) {
    console.error(`checksum: MISMATCH, expected ${expected}`);
    return 1;
  }
  console.log('checksum: matches the recorded SHA-256');
  return 0;
}

process.exitCode = main();
