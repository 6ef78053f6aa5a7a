// A setup shared by every invocation of a warm Lambda instance (clients, the caller's identity)
// is made once, but only once it succeeds: a failed attempt is dropped, so one bad moment never
// poisons every later invocation of the instance.
export function onceSucceeded<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= make().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
