/** The node's REST API as the console uses it: cookie session, CSRF header on writes, errors with the API's code. */

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface BrowserSession { username: string; csrfToken: string; expiresAt: string }

type Fetch = (input: string, init: RequestInit) => Promise<Response>;
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Client {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  login(username: string, password: string): Promise<BrowserSession>;
  restore(): Promise<BrowserSession>;
  logout(): Promise<void>;
  /** The CSRF token is held here, in memory only: never in localStorage, which any script could read. */
  readonly csrf: () => string | null;
  onUnauthenticated(listener: () => void): void;
}

export function createClient(fetchImpl: Fetch, base = '/api/v1'): Client {
  let csrf: string | null = null;
  let unauthenticated: () => void = () => {};

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (!SAFE.has(method) && csrf) headers['X-CSRF-Token'] = csrf;
    const response = await fetchImpl(base + path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      let code = `HTTP_${response.status}`;
      let message = `${method} ${path} failed with HTTP ${response.status}`;
      try {
        const error = await response.json();
        if (typeof error?.code === 'string') code = error.code;
        if (typeof error?.message === 'string') message = error.message;
      } catch {
        // not the API's JSON error (a proxy's page): keep the status text
      }
      if (response.status === 401 && path !== '/auth/session') {
        csrf = null;
        unauthenticated();
      }
      throw new ApiError(response.status, code, message);
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  return {
    request,
    async login(username, password) {
      const session = await request<BrowserSession>('POST', '/auth/session', { username, password });
      csrf = session.csrfToken;
      return session;
    },
    async restore() {
      const session = await request<BrowserSession>('GET', '/auth/session');
      csrf = session.csrfToken;
      return session;
    },
    async logout() {
      try {
        await request<void>('POST', '/auth/logout');
      } finally {
        csrf = null;
      }
    },
    csrf: () => csrf,
    onUnauthenticated(listener) { unauthenticated = listener; },
  };
}

export const client = createClient((input, init) => fetch(input, init));
