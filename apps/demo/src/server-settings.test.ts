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
      maxWaitMs: 10_000,
      allowedHosts: [],
      modelWorker: true,
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

  it('reads the detector models (a YOLOv8 the user supplies) and refuses unknown or repeated names', () => {
    expect(readServerSettings({}).detectorModels).toBeUndefined();
    expect(readServerSettings({ TASAM_DEMO_DETECTOR_MODELS: ' yolov8s ' }).detectorModels).toEqual([
      'yolov8s',
    ]);
    expect(readServerSettings({ TASAM_DEMO_DETECTOR_MODELS: 'centernet,nanodet' }).detectorModels).toEqual([
      'centernet',
      'nanodet',
    ]);
    for (const bad of ['yolo', 'centernet,centernet', 'centernet,'])
      expect(() => readServerSettings({ TASAM_DEMO_DETECTOR_MODELS: bad })).toThrow(
        /TASAM_DEMO_DETECTOR_MODELS=.*expected distinct names from centernet, nanodet, yolov8n/,
      );
  });

  it('reads the admission bound and allowed hosts from the environment and the command line', () => {
    expect(readServerSettings({ TASAM_DEMO_MAX_WAIT_S: '30' }).maxWaitMs).toBe(30_000);
    expect(readServerSettings({ TASAM_DEMO_MAX_WAIT_S: '30' }, ['--max-wait', '5']).maxWaitMs).toBe(5000);
    expect(
      readServerSettings({ TASAM_DEMO_ALLOWED_HOSTS: 'demo.example, Lab.example:443' }, [
        '--allowed-host',
        'mybox.local',
        '--allowed-host=[::1]:3000',
      ]).allowedHosts,
    ).toEqual(['demo.example', 'lab.example:443', 'mybox.local', '[::1]:3000']);
    expect(() => readServerSettings({}, ['--allowed-host', 'evil example'])).toThrow(
      /--allowed-host="evil example": expected a host name/,
    );
    expect(() => readServerSettings({}, ['--allowed-host'])).toThrow(/--allowed-host="": expected a value/);
    expect(() => readServerSettings({}, ['--max-wait', '0'])).toThrow(
      /--max-wait="0": expected an integer from 1/,
    );
    expect(() => readServerSettings({}, ['--port', '3000'])).toThrow(
      /command line="--port": expected --allowed-host/,
    );
    expect(() => readServerSettings({ TASAM_DEMO_ALLOWED_HOSTS: 'a b' })).toThrow(/TASAM_DEMO_ALLOWED_HOSTS/);
  });

  it('runs the models in a worker thread unless --no-model-worker', () => {
    expect(readServerSettings({}).modelWorker).toBe(true);
    expect(readServerSettings({}, ['--max-wait', '5', '--no-model-worker']).modelWorker).toBe(false);
    expect(() => readServerSettings({}, ['--no-model-worker=1'])).toThrow(/expected --allowed-host/);
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
