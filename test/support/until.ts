/** Polls `what` every 100 ms until `done` holds (never a fixed sleep); fails with the last value after 30 s. */
export async function until<T>(what: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await what();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not reached: ${JSON.stringify(await what())}`);
}
