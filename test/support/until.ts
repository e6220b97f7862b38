/** Polls `probe` until `done` holds; the error shows the last value (bigints as strings). */
export async function until<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 10_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
