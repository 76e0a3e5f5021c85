// French. Keys are the English sentences of the client (see index.ts).
export const fr: Record<string, string> = {};
