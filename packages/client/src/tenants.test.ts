import { describe, expect, it } from 'vitest';
import { VmdClientError } from './errors.js';
import {
  AuditOutcome,
  Tenant,
  type ListAuditEventsRequest,
  type ListAuditEventsResponse,
  type UpdateTenantRequest,
  type UpdateTenantResponse,
} from './gen/vmd/v1/tenant.js';
import { TenantAdmin, type TenantAdminTransport, type TenantFields } from './tenants.js';

/** A TenantAdmin over a transport that records each request instead of calling a daemon. */
function admin(): { tenants: TenantAdmin; sent: UpdateTenantRequest[] } {
  const sent: UpdateTenantRequest[] = [];
  const transport: TenantAdminTransport = {
    raw: () => {
      throw new Error('no daemon in unit tests');
    },
    unary<Req, Res>(_invoke: unknown, request: Req): Promise<Res> {
      const req = request as UpdateTenantRequest;
      sent.push(req);
      const res: UpdateTenantResponse = {
        tenant: Tenant.fromPartial({ name: typeof req.tenant === 'object' ? (req.tenant.name ?? '') : '' }),
      };
      // list calls read these
      return Promise.resolve({ ...res, tenants: [], keys: [], page: undefined } as Res);
    },
  };
  return { tenants: new TenantAdmin(transport), sent };
}

describe('TenantAdmin.update', () => {
  it.each<[TenantFields, string[]]>([
    [{ displayName: 'Acme' }, ['display_name']],
    [{ quotas: { memoryMib: 128, cpuTimeMs: 250 } }, ['quotas.memory_mib', 'quotas.cpu_time_ms']],
    [{ quotas: { memoryMib: 128, cpuTimeMs: undefined } }, ['quotas.memory_mib']],
    [{ capabilities: { kv: false } }, ['capabilities.kv']],
    [{ capabilities: { fetchOrigins: [] } }, ['capabilities.fetch_origins']],
    [{ isolation: 'context' }, ['isolation']],
  ])('sends a mask naming exactly the fields of %j', async (fields, mask) => {
    const { tenants, sent } = admin();
    await tenants.update('acme', fields);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.updateMask).toEqual(mask);
    expect(sent[0]!.tenant?.name).toBe('acme');
  });

  it.each<[string, TenantFields]>([
    ['no fields', {}],
    ['empty quotas and capabilities', { quotas: {}, capabilities: {} }],
    ['only undefined values', { displayName: undefined, quotas: { memoryMib: undefined } }],
  ])('refuses an update that changes nothing (%s) without calling the daemon', async (_what, fields) => {
    const { tenants, sent } = admin();
    const err = await tenants.update('acme', fields).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmdClientError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'fields' });
    expect((err as Error).message).toContain("the update of tenant 'acme' changes nothing");
    expect(sent).toHaveLength(0);
  });
});

describe('TenantAdmin validation (INVALID_ARGUMENT, nothing sent)', () => {
  it.each<[string, (t: TenantAdmin) => Promise<unknown>, string]>([
    [
      "update isolation 'process'",
      (t) => t.update('acme', { isolation: 'process' as 'isolate' }),
      'isolation',
    ],
    ["create isolation 'vm'", (t) => t.create('acme', { isolation: 'vm' as 'isolate' }), 'isolation'],
    [
      'update quotas.memoryMib -1',
      (t) => t.update('acme', { quotas: { memoryMib: -1 } }),
      'quotas.memoryMib',
    ],
    ['update quotas.burst 2^32', (t) => t.update('acme', { quotas: { burst: 2 ** 32 } }), 'quotas.burst'],
    ['update quotas.kvBytes 1.5', (t) => t.update('acme', { quotas: { kvBytes: 1.5 } }), 'quotas.kvBytes'],
    [
      'update quotas.ratePerSecond NaN',
      (t) => t.update('acme', { quotas: { ratePerSecond: NaN } }),
      'quotas.ratePerSecond',
    ],
    ['create quotas.weight -3', (t) => t.create('acme', { quotas: { weight: -3 } }), 'quotas.weight'],
    ['list pageSize -1', (t) => t.list({ pageSize: -1 }), 'pageSize'],
    ['listKeys pageSize 0.5', (t) => t.listKeys('acme', { pageSize: 0.5 }), 'pageSize'],
  ])('%s', async (_what, call, field) => {
    const { tenants, sent } = admin();
    const err = await call(tenants).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmdClientError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    expect(sent).toHaveLength(0);
  });

  it('accepts 0 quotas (the default) and both isolation modes', async () => {
    const { tenants, sent } = admin();
    await tenants.create('acme', { quotas: { memoryMib: 0, ratePerSecond: 2.5 }, isolation: 'context' });
    await tenants.update('acme', { isolation: 'isolate' });
    expect(sent).toHaveLength(2);
  });
});

describe('TenantAdmin.audit', () => {
  /** A TenantAdmin whose daemon answers one ListAuditEvents page. */
  function auditAdmin(events: ListAuditEventsResponse['events']): {
    tenants: TenantAdmin;
    sent: ListAuditEventsRequest[];
  } {
    const sent: ListAuditEventsRequest[] = [];
    const transport: TenantAdminTransport = {
      raw: () => {
        throw new Error('no daemon in unit tests');
      },
      unary<Req, Res>(_invoke: unknown, request: Req): Promise<Res> {
        sent.push(request as ListAuditEventsRequest);
        const res: ListAuditEventsResponse = { events, page: { nextPageToken: 'next' } };
        return Promise.resolve(res as Res);
      },
    };
    return { tenants: new TenantAdmin(transport), sent };
  }

  it('sends the filters as the wire asks (unset ones empty) and reads entries back', async () => {
    const time = new Date('2026-11-29T10:00:00Z');
    const { tenants, sent } = auditAdmin([
      {
        id: 7,
        time,
        actor: 'function:f',
        action: 'kv.put',
        target: 'tenant/acme/kv',
        outcome: AuditOutcome.AUDIT_OUTCOME_DENIED,
        detailsJson: '{"key":"k"}',
      },
      {
        id: 6,
        time,
        actor: 'x',
        action: 'y',
        target: 'z',
        outcome: 9 as AuditOutcome,
        detailsJson: 'not json',
      },
    ]);
    const since = new Date('2026-11-28T00:00:00Z');
    const page = await tenants.audit({ tenant: 'acme', outcome: 'denied', since, pageSize: 10 });
    expect(sent).toEqual([
      {
        tenant: 'acme',
        action: '',
        actor: '',
        outcome: AuditOutcome.AUDIT_OUTCOME_DENIED,
        since,
        until: undefined,
        page: { pageSize: 10, pageToken: '' },
      },
    ]);
    expect(page.nextPageToken).toBe('next');
    expect(page.items[0]).toEqual({
      id: 7,
      time,
      actor: 'function:f',
      action: 'kv.put',
      target: 'tenant/acme/kv',
      outcome: 'denied',
      details: { key: 'k' },
    });
    // A newer daemon's outcome, and details that are not a JSON object, are kept readable.
    expect(page.items[1]).toMatchObject({ outcome: 'unknown', details: { unparsed: 'not json' } });
  });

  it('refuses an unknown outcome or a bad page size without calling the daemon', async () => {
    const { tenants, sent } = auditAdmin([]);
    await expect(tenants.audit({ outcome: 'maybe' as 'ok' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      field: 'outcome',
    });
    await expect(tenants.audit({ pageSize: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(sent).toEqual([]);
  });
});
