import type Sharp from 'sharp';

let sharpModule: typeof Sharp | undefined;

/**
 * sharp, loaded on first use: it loads a native library (~40 ms), which a process that only runs the models
 * (or only parses the CLI's options) never needs.
 */
export function sharp(...args: Parameters<typeof Sharp>): ReturnType<typeof Sharp> {
  sharpModule ??= require('sharp') as typeof Sharp;
  return sharpModule(...args);
}
