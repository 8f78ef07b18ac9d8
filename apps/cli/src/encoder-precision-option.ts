import { DEFAULT_ENCODER_PRECISION, ENCODER_PRECISIONS } from '@tasam/sam-runtime';
import { Option } from 'commander';

/**
 * `--encoder-precision int8|fp32`: which SAM image encoder runs (int8-quantised linear layers, the default, or
 * fp32 as shipped; see @tasam/sam-runtime's README for speed and mIoU). Embeddings of the two are cached apart.
 */
export function encoderPrecisionOption(): Option {
  return new Option(
    '--encoder-precision <precision>',
    'SAM image encoder: int8 (linear weights quantised; 1.4x faster, 1-click mIoU within 0.1 point) or fp32 (as shipped)',
  )
    .choices([...ENCODER_PRECISIONS])
    .default(DEFAULT_ENCODER_PRECISION);
}
