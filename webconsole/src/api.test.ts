import { describe, expect, it } from 'vitest';
import { ApiError, createClient } from './api';

/** A recording fetch that answers from a script, so the client's requests can be checked header by header. */
function recorder(answers: Response[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error('unexpected request ' + url);
    return next;
  };
  return { calls, fetchImpl };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const header = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];

describe('the API client', () => {
  it('sends the CSRF token from login on writes only, and keeps it out of storage', async () => {
    const { calls, fetchImpl } = recorder([
      json(200, { username: 'admin', csrfToken: 'csrf-1', expiresAt: '2030-01-01T00:00:00Z' }),
      json(200, { items: [], total: 0, offset: 0, limit: 1000 }),
      json(201, { spec: { name: 'web1' } }),
    ]);
    const client = createClient(fetchImpl);
    expect(client.csrf()).toBeNull();
    await client.login('admin', 'pw');
    expect(header(calls[0].init, 'X-CSRF-Token')).toBeUndefined();
    expect(JSON.parse(calls[0].init.body as string)).toEqual({ username: 'admin', password: 'pw' });
    await client.request('GET', '/vms');
    expect(header(calls[1].init, 'X-CSRF-Token')).toBeUndefined();
    await client.request('POST', '/vms', { name: 'web1' });
    expect(header(calls[2].init, 'X-CSRF-Token')).toBe('csrf-1');
    expect(calls.every((c) => c.init.credentials === 'same-origin')).toBe(true);
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/auth/session', '/api/v1/vms', '/api/v1/vms']);
  });

  it("turns the API's error body into an ApiError with its code and message", async () => {
    const { fetchImpl } = recorder([json(409, { code: 'ALREADY_EXISTS', message: "VM 'web1' already exists", details: {} })]);
    const failure = await createClient(fetchImpl).request<never>('POST', '/vms', { name: 'web1' }).catch((e: unknown) => e as ApiError);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure.status).toBe(409);
    expect(failure.code).toBe('ALREADY_EXISTS');
    expect(failure.message).toBe("VM 'web1' already exists");
  });

  it('keeps the status when the body is not JSON, and reports a lost session once', async () => {
    const { fetchImpl } = recorder([new Response('<html>bad gateway</html>', { status: 502 }), json(401, { code: 'UNAUTHENTICATED', message: 'log in again' })]);
    const client = createClient(fetchImpl);
    let lost = 0;
    client.onUnauthenticated(() => lost++);
    const gateway = await client.request<never>('GET', '/node').catch((e: unknown) => e as ApiError);
    expect(gateway.code).toBe('HTTP_502');
    expect(lost).toBe(0);
    await client.request('GET', '/vms').catch(() => undefined);
    expect(lost).toBe(1);
  });

  it('forgets the CSRF token at logout even when the node refuses it', async () => {
    const { fetchImpl } = recorder([json(200, { username: 'admin', csrfToken: 'c', expiresAt: 'x' }), json(401, { code: 'UNAUTHENTICATED', message: 'gone' })]);
    const client = createClient(fetchImpl);
    await client.restore();
    expect(client.csrf()).toBe('c');
    await client.logout().catch(() => undefined);
    expect(client.csrf()).toBeNull();
  });
});
