/**
 * Run a test program in a Worker of its own (a fresh isolate: nothing the
 * test process loaded is loaded there) and take the first message it posts.
 */

/** What the Worker at `url` posts first; its error rejects. */
export function workerReport<T>(url: URL): Promise<T> {
  const worker = new Worker(url, { type: "module" });
  return new Promise<T>((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(event.message));
    };
  }).finally(() => worker.terminate());
}
