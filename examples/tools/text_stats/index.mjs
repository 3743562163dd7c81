// text_stats: a Node.js tool Lambda (ES module). It needs nothing from sfn-agents at run time.
export const handler = async (event) => {
  if (typeof event.text !== "string") {
    throw new TypeError("text must be a string");
  }
  const words = event.text.match(/[\p{L}\p{N}'-]+/gu) ?? [];
  const sentences = event.text.split(/[.!?]+/).filter((s) => s.trim().length > 0);
  const longest = words.reduce((a, w) => (w.length > a.length ? w : a), "");
  return { words: words.length, characters: event.text.length, sentences: sentences.length, longest_word: longest };
};
