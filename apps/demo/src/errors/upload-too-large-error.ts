import { TasamError } from '@tasam/errors';

/** The uploaded file is bigger than the byte cap; rejected while streaming, before it is decoded. */
export class UploadTooLargeError extends TasamError<'DEMO_UPLOAD_TOO_LARGE'> {
  constructor(
    readonly filename: string,
    readonly maxBytes: number,
  ) {
    super(
      'DEMO_UPLOAD_TOO_LARGE',
      `${filename}: upload is larger than ${formatMegabytes(maxBytes)} (the demo's upload cap)`,
    );
  }
}

function formatMegabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}
