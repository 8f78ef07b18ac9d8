import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

/**
 * A tiny BERT-shaped model directory in the layout of an ONNX sentence-transformers export
 * (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx), written by the tests so the real
 * MiniLM loading path (transformers.js tokenizer + onnxruntime session) runs without the real weights.
 *
 * Graph: last_hidden_state = tanh(wordEmbeddings[input_ids] + typeEmbeddings[token_type_ids]). Every token,
 * padding included, gets a non-zero state, so pooling that ignored the attention mask would show.
 */
export interface TinyBert {
  dir: string;
  vocab: string[];
  hidden: number;
  /** [vocab.length, hidden], row-major */
  wordEmbeddings: Float32Array;
  /** [2, hidden] */
  typeEmbeddings: Float32Array;
}

export const TINY_VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  '[MASK]',
  'segment',
  'select',
  'highlight',
  'all',
  'the',
  'every',
  'red',
  'apple',
  '##s',
  'suit',
  '##case',
  'dog',
  'people',
  'car',
  'on',
  'road',
  ',',
  '.',
];

const specialTokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function tokenizerJson(vocab: string[]): unknown {
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const special = (token: string) => ({ id: token, ids: [ids[token]], tokens: [token] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content) => ({
      id: ids[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': special('[CLS]'), '[SEP]': special('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

/** Deterministic, varied values in (-1, 1) so every token and dimension differs. */
function table(rows: number, cols: number, seed: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = 0.9 * Math.sin(seed + 1.7 * r + 0.61 * c * (r + 1));
  return out;
}

function floatInitializer(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  return {
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}

function int64Input(name: string): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.INT64,
        shape: { dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }] },
      },
    },
  };
}

function bertGraph(vocabSize: number, hidden: number, words: Float32Array, types: Float32Array): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'tasam text-encoder tests',
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'tiny_bert',
      initializer: [
        floatInitializer('embeddings.word_embeddings.weight', [vocabSize, hidden], words),
        floatInitializer('embeddings.token_type_embeddings.weight', [2, hidden], types),
      ],
      input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')],
      node: [
        {
          opType: 'Gather',
          input: ['embeddings.word_embeddings.weight', 'input_ids'],
          output: ['word'],
          name: 'word_gather',
        },
        {
          opType: 'Gather',
          input: ['embeddings.token_type_embeddings.weight', 'token_type_ids'],
          output: ['type'],
          name: 'type_gather',
        },
        { opType: 'Add', input: ['word', 'type'], output: ['embedded'], name: 'add' },
        { opType: 'Tanh', input: ['embedded'], output: ['last_hidden_state'], name: 'tanh' },
      ],
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: onnx.TensorProto.DataType.FLOAT,
              shape: {
                dim: [{ dimParam: 'batch_size' }, { dimParam: 'sequence_length' }, { dimValue: hidden }],
              },
            },
          },
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes the model directory; `maxSeqLength` goes to sentence_bert_config.json when given. */
export function writeTinyBert(
  dir: string,
  options: { hidden?: number; maxSeqLength?: number } = {},
): TinyBert {
  const hidden = options.hidden ?? 8;
  const vocab = TINY_VOCAB;
  const wordEmbeddings = table(vocab.length, hidden, 0.3);
  const typeEmbeddings = table(2, hidden, 2.1).map((x) => 0.2 * x);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (name: string, value: unknown) =>
    writeFileSync(join(dir, name), JSON.stringify(value, null, 1));
  json('config.json', {
    _name_or_path: 'tiny-bert',
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: hidden,
    vocab_size: vocab.length,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: hidden,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    pad_token_id: 0,
  });
  json('tokenizer.json', tokenizerJson(vocab));
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
  if (options.maxSeqLength !== undefined)
    json('sentence_bert_config.json', { max_seq_length: options.maxSeqLength, do_lower_case: false });
  writeFileSync(
    join(dir, 'onnx', 'model.onnx'),
    bertGraph(vocab.length, hidden, wordEmbeddings, typeEmbeddings),
  );
  return { dir, vocab, hidden, wordEmbeddings, typeEmbeddings };
}
