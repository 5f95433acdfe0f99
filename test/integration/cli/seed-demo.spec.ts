import { seedDemo } from '../../../src/cli/seed-demo';
import { isValidDocument } from '../../../src/clients/validation/document';
import { startTestApp, type TestApp } from '../../support/test-app';

describe('seed:demo', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('adds realistic clients with valid, unique CNPJs (some alphanumeric) and CPFs, contacts and links', async () => {
    await seedDemo(t.dataSource, 600, () => {});
    const clients: Array<{ document: string; person_type: 'PF' | 'PJ'; status: string; trade_name: string }> =
      await t.dataSource.query(`SELECT document, person_type, status, trade_name FROM clients`);
    expect(clients).toHaveLength(600);
    for (const c of clients) expect(isValidDocument(c.document, c.person_type)).toBe(true);
    expect(new Set(clients.map((c) => c.document)).size).toBe(600);
    expect(clients.some((c) => /[A-Z]/.test(c.document))).toBe(true);
    expect(clients.some((c) => c.person_type === 'PF')).toBe(true);
    expect(clients.some((c) => c.status === 'inactive')).toBe(true);
    // names vary: not a run of identical trade names
    expect(new Set(clients.map((c) => c.trade_name)).size).toBeGreaterThan(300);
    const [{ contacts }] = await t.dataSource.query(`SELECT count(*)::int AS contacts FROM contacts`);
    expect(contacts).toBeGreaterThan(300);
    const [{ linked }] = await t.dataSource.query(
      `SELECT count(DISTINCT client_id)::int AS linked FROM client_attendant_groups`,
    );
    expect(linked).toBeGreaterThan(500);
  });

  it('appends to what is there: a second run adds more without clashing documents', async () => {
    await seedDemo(t.dataSource, 100, () => {});
    const [{ n, docs }] = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT document)::int AS docs FROM clients`,
    );
    expect(n).toBe(700);
    expect(docs).toBe(700);
  });
});
