/** The error `run` throws; fails the test when it throws nothing. */
export function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
