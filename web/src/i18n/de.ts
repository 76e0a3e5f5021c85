// German. Keys are the English sentences of the client (see index.ts).
export const de: Record<string, string> = {};
