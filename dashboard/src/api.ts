/** The public API as the dashboard calls it: same origin, the session cookie and its CSRF token. */

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[],
  ) {
    super(message);
  }

  /** Details whose path is `body.<field>…`, keyed by the field path without `body.`. */
  fieldErrors(): Map<string, string> {
    const out = new Map<string, string>();
    for (const d of this.details) {
      const field = d.path === 'body' ? '' : d.path.replace(/^(body|query|params)\./, '');
      out.set(field, out.has(field) ? `${out.get(field)}; ${d.message}` : d.message);
    }
    return out;
  }
}

export interface Session {
  csrfToken: string;
  expiresAt: string;
}

let csrfToken: string | undefined;
let onLoggedOut: () => void = () => {};

/** Called when the API answers 401 (the session expired): the app shows the login again. */
export function whenLoggedOut(callback: () => void): void {
  onLoggedOut = callback;
}

async function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json().catch(() => null)) as
    (T & { error?: { code: string; message: string; details?: FieldError[] } }) | null;
  if (!res.ok) {
    const error = json?.error;
    if (res.status === 401 && !path.startsWith('/dashboard/')) {
      csrfToken = undefined;
      onLoggedOut();
    }
    throw new ApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ?? `${method} ${path} answered ${res.status}`,
      Array.isArray(error?.details) ? error.details : [],
    );
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => send<T>('GET', path),
  put: <T>(path: string, body: unknown) => send<T>('PUT', path, body),
  post: <T>(path: string, body: unknown = {}) => send<T>('POST', path, body),
};

/** The current session, if the cookie holds one. */
export async function resumeSession(): Promise<Session | null> {
  const session = await send<({ loggedIn: true } & Session) | { loggedIn: false }>(
    'GET',
    '/dashboard/session',
  );
  if (!session.loggedIn) return null;
  csrfToken = session.csrfToken;
  return session;
}

export async function logIn(apiKey: string): Promise<Session> {
  const session = await send<Session>('POST', '/dashboard/login', { apiKey });
  csrfToken = session.csrfToken;
  return session;
}

export async function logOut(): Promise<void> {
  await send('POST', '/dashboard/logout');
  csrfToken = undefined;
}

export const enc = encodeURIComponent;

/**
 * Saves a file the API serves (a report's CSV): fetched with the session's CSRF token, which a plain
 * link cannot send, then handed to the browser as a download.
 */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, {
    headers: csrfToken ? { 'X-CSRF-Token': csrfToken } : {},
    credentials: 'same-origin',
  });
  if (!res.ok) {
    if (res.status === 401) onLoggedOut();
    throw new ApiError(res.status, 'http_error', `GET ${path} answered ${res.status}`, []);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  // The click has started the download; the URL is not needed past this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
