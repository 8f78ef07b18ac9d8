/** One vocabulary entry of USE-lite: the piece and its unigram log-probability. */
export type UsePiece = [piece: string, score: number];

/** The first ids are control symbols (unknown, <s>, </s>, extras) and never match text. */
const RESERVED_SYMBOLS = 6;
const UNKNOWN_ID = 0;
/** SentencePiece's word-boundary marker; a space becomes one. */
const WORD_BOUNDARY = '\u2581';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary id of the piece that ends here, or -1. */
  id: number;
  score: number;
  /** Length of the piece in code points. */
  length: number;
}

const newNode = (): TrieNode => ({ children: new Map(), id: -1, score: 0, length: 0 });

/**
 * The SentencePiece-style unigram tokenizer the USE-lite graph was exported with: NFKC, spaces to `▁`, then
 * the best-scoring split into vocabulary pieces (Viterbi); characters no piece covers become id 0, and runs
 * of them merge into one. It reproduces the tokenizer of `@tensorflow-models/universal-sentence-encoder`
 * (Apache-2.0) that the model was published with, including its tie-breaking, so vectors match it.
 */
export class UseTokenizer {
  private readonly root = newNode();

  constructor(readonly vocabulary: readonly UsePiece[]) {
    for (let id = RESERVED_SYMBOLS; id < vocabulary.length; id++) {
      const [piece, score] = vocabulary[id];
      let node = this.root;
      let length = 0;
      for (const symbol of piece) {
        let child = node.children.get(symbol);
        if (!child) {
          child = newNode();
          node.children.set(symbol, child);
        }
        node = child;
        length++;
      }
      node.id = id;
      node.score = score;
      node.length = length;
    }
  }

  encode(text: string): number[] {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return [];
    const symbols = Array.from(WORD_BOUNDARY + normalized.replace(/ /g, WORD_BOUNDARY));
    const n = symbols.length;
    // best[e]: score of the best split of symbols[0, e); 0 means "none yet" (scores are negative, and the
    // reference treats an unknown piece's score 0 the same way, which decides its tie-breaking).
    const best = new Float64Array(n + 1);
    const bestId = new Int32Array(n + 1);
    // A position no piece reaches backs off by one symbol as an unknown, as in the reference.
    const bestLength = new Int32Array(n + 1).fill(1);
    // Pieces ending at each position, visited in increasing start order as the reference does.
    const endingAt: Array<Array<{ start: number; id: number; score: number; length: number }>> = Array.from(
      { length: n + 1 },
      () => [],
    );
    for (let start = 0; start < n; start++) {
      let node = this.root.children.get(symbols[start]);
      let matched = false;
      for (let i = start; node && i < n; ) {
        if (node.id >= 0) {
          endingAt[start + node.length].push({ start, id: node.id, score: node.score, length: node.length });
          matched = true;
        }
        i++;
        node = i < n ? node.children.get(symbols[i]) : undefined;
      }
      if (!matched) endingAt[start + 1].push({ start, id: UNKNOWN_ID, score: 0, length: 1 });
    }
    for (let end = 0; end <= n; end++) {
      for (const piece of endingAt[end]) {
        const score = piece.score + best[end - piece.length];
        if (best[end] === 0 || score >= best[end]) {
          best[end] = score;
          bestId[end] = piece.id;
          bestLength[end] = piece.length;
        }
      }
    }
    const ids: number[] = [];
    for (let end = n; end > 0; end -= bestLength[end]) {
      const id = bestId[end];
      if (!(id === UNKNOWN_ID && ids.length > 0 && ids[ids.length - 1] === UNKNOWN_ID)) ids.push(id);
    }
    return ids.reverse();
  }
}
