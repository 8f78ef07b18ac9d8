import { TasamError } from '@tasam/errors';

/** The MiniLM weights are not where the encoder was told to look, and downloading was not allowed. */
export class TextModelMissingError extends TasamError<'TEXT_MODEL_MISSING'> {
  constructor(
    readonly modelDir: string | undefined,
    readonly problem: string,
  ) {
    const where =
      modelDir === undefined ? 'no model directory given' : `model directory ${modelDir}: ${problem}`;
    super(
      'TEXT_MODEL_MISSING',
      `minilm: ${where}. Provide the ONNX export of sentence-transformers/all-MiniLM-L6-v2 ` +
        '(config.json, tokenizer.json, onnx/model.onnx; e.g. a clone of https://huggingface.co/Xenova/all-MiniLM-L6-v2) ' +
        'with --text-model-dir DIR or the TASAM_TEXT_MODEL_DIR environment variable, ' +
        'or let tasam download it from the Hugging Face hub with --allow-download (allowDownload: true)',
    );
  }
}
