/**
 * Jest runs a test file in a realm of its own, while `fetch` is Node's: the
 * arrays `Response.json()` returns carry the other realm's Array.prototype,
 * and the scaffolder's template engine refuses those in a step's output
 * ("Template arrays cannot use a custom prototype"), so an action whose
 * output holds an array the clusters or services API answered would fail
 * here and nowhere else (the portal runs in one realm). Until the returned
 * function is called, answers are parsed in the test's realm.
 */
export function parseFetchedJsonHere(): () => void {
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const res = await nodeFetch(input, init);
    Object.defineProperty(res, 'json', {
      value: async () => JSON.parse(await res.text()),
    });
    return res;
  };
  return () => {
    globalThis.fetch = nodeFetch;
  };
}
