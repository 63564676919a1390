/**
 * Just enough `XMLHttpRequest` on top of `fetch` for phoenix.js's `Ajax` (1.5 to 1.7 use XHR for
 * LongPoll; 1.8 falls back to fetch by itself): `open`, `setRequestHeader`, `send`, `abort`,
 * `timeout`, and the `onreadystatechange` / `onerror` / `ontimeout` callbacks.
 */
export class FetchXhr {
  readyState = 0;
  status = 0;
  responseText = '';
  timeout = 0;
  onreadystatechange: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  #method = 'GET';
  #url = '';
  readonly #headers: Record<string, string> = {};
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;

  open(method: string, url: string): void {
    this.#method = method;
    this.#url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.#headers[name] = value;
  }

  send(body: string | null = null): void {
    if (this.timeout > 0) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#abort.abort();
      }, this.timeout);
    }
    fetch(this.#url, {
      method: this.#method,
      headers: this.#headers,
      ...(body !== null && { body }),
      signal: this.#abort.signal,
    })
      .then(async (response) => {
        const text = await response.text();
        clearTimeout(this.#timer);
        this.status = response.status;
        this.responseText = text;
        this.readyState = 4;
        this.onreadystatechange?.();
      })
      .catch(() => {
        clearTimeout(this.#timer);
        if (this.#timedOut) this.ontimeout?.();
        else if (!this.#abort.signal.aborted) {
          this.readyState = 4;
          this.onerror?.();
        }
      });
  }

  abort(): void {
    this.#abort.abort();
  }
}
