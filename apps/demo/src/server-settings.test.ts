import { join } from 'node:path';
import { readServerSettings } from './server-settings';

describe('readServerSettings', () => {
  it('defaults to loopback, port 8787, 20 MB and 4096x4096 pixels', () => {
    expect(readServerSettings({})).toEqual({
      port: 8787,
      host: '127.0.0.1',
      maxUploadBytes: 20 * 1024 * 1024,
      maxPixels: 4096 * 4096,
      pointsPerSide: 8,
      textBackend: 'use-lite',
    });
  });

  it('honours PORT and HOST', () => {
    const settings = readServerSettings({ PORT: '3000', HOST: '0.0.0.0', TASAM_DEMO_MAX_UPLOAD_MB: '5' });
    expect(settings).toMatchObject({ port: 3000, host: '0.0.0.0', maxUploadBytes: 5 * 1024 * 1024 });
    expect(readServerSettings({ TASAM_DEMO_CHECKPOINT: 'runs/a/hypernet.safetensors' }).checkpoint).toBe(
      join(process.cwd(), 'runs/a/hypernet.safetensors'),
    );
    expect(readServerSettings({ TASAM_DEMO_DETECTOR_MODEL_DIR: 'models/centernet' }).detectorModelDir).toBe(
      join(process.cwd(), 'models/centernet'),
    );
  });

  it('refuses values it cannot use, naming the variable', () => {
    expect(() => readServerSettings({ PORT: 'eighty' })).toThrow(
      'PORT="eighty": expected an integer from 0 to 65535',
    );
    expect(() => readServerSettings({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => readServerSettings({ TASAM_DEMO_MAX_PIXELS: '-1' })).toThrow(/TASAM_DEMO_MAX_PIXELS/);
    expect(() => readServerSettings({ TASAM_DEMO_TEXT_BACKEND: 'bert' })).toThrow(
      /TASAM_DEMO_TEXT_BACKEND="bert"/,
    );
  });
});
