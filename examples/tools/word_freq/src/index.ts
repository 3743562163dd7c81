// word_freq: a TypeScript tool Lambda, compiled to CommonJS in dist/ (npm run build).
// It needs nothing from sfn-agents at run time.

export interface WordFreqInput {
  text: string;
  top?: number;
}

export interface WordCount {
  word: string;
  count: number;
}

export function wordFreq(text: string, top: number): WordCount[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, top)
    .map(([word, count]) => ({ word, count }));
}

export const handler = async (event: WordFreqInput): Promise<{ words: WordCount[] }> => {
  if (typeof event.text !== "string") {
    throw new TypeError("text must be a string");
  }
  const top = event.top ?? 5;
  if (!Number.isInteger(top) || top < 1 || top > 50) {
    throw new RangeError("top must be an integer from 1 to 50");
  }
  return { words: wordFreq(event.text, top) };
};
