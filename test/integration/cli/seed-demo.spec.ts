import { FIRST_NAMES, JOB_TITLES } from '../../../src/cli/demo-data';
import { seedDemo } from '../../../src/cli/seed-demo';
import { InactivationBlockersRegistry } from '../../../src/clients/inactivation-blockers';
import { isValidBrazilianPhone } from '../../../src/clients/validation/phone';
import { isValidDocument } from '../../../src/clients/validation/document';
import { todayInSaoPaulo } from '../../../src/common/calendar';
import { contractStatusSql } from '../../../src/contracts/contract-status.sql';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import { text } from '../../support/html';
import { login } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';

/** CEP ranges of each UF (Correios), by the first five digits. */
const CEP_RANGES: Record<string, Array<[number, number]>> = {
  SP: [[1000, 19999]],
  RJ: [[20000, 28999]],
  ES: [[29000, 29999]],
  MG: [[30000, 39999]],
  BA: [[40000, 48999]],
  SE: [[49000, 49999]],
  PE: [[50000, 56999]],
  AL: [[57000, 57999]],
  PB: [[58000, 58999]],
  RN: [[59000, 59999]],
  CE: [[60000, 63999]],
  PI: [[64000, 64999]],
  MA: [[65000, 65999]],
  PA: [[66000, 68899]],
  AP: [[68900, 68999]],
  AM: [
    [69000, 69299],
    [69400, 69899],
  ],
  RR: [[69300, 69399]],
  AC: [[69900, 69999]],
  DF: [
    [70000, 72799],
    [73000, 73699],
  ],
  GO: [
    [72800, 72999],
    [73700, 76799],
  ],
  RO: [[76800, 76999]],
  TO: [[77000, 77999]],
  MT: [[78000, 78899]],
  MS: [[79000, 79999]],
  PR: [[80000, 87999]],
  SC: [[88000, 89999]],
  RS: [[90000, 99999]],
};
/** Area codes (DDD) of each UF (Anatel). */
const DDDS: Record<string, number[]> = {
  SP: [11, 12, 13, 14, 15, 16, 17, 18, 19],
  RJ: [21, 22, 24],
  ES: [27, 28],
  MG: [31, 32, 33, 34, 35, 37, 38],
  PR: [41, 42, 43, 44, 45, 46],
  SC: [47, 48, 49],
  RS: [51, 53, 54, 55],
  DF: [61],
  GO: [62, 64],
  TO: [63],
  MT: [65, 66],
  MS: [67],
  AC: [68],
  RO: [69],
  BA: [71, 73, 74, 75, 77],
  SE: [79],
  PE: [81, 87],
  AL: [82],
  PB: [83],
  RN: [84],
  CE: [85, 88],
  PI: [86, 89],
  PA: [91, 93, 94],
  AM: [92, 97],
  RR: [95],
  AP: [96],
  MA: [98, 99],
};

interface SeededClient {
  id: string;
  code: string;
  document: string;
  person_type: 'PF' | 'PJ';
  status: string;
  trade_name: string;
  legal_name: string | null;
  email: string;
  phone: string;
  postal_code: string | null;
  street: string | null;
  number: string | null;
  district: string | null;
  city: string | null;
  state: string | null;
  billing_client_id: string | null;
}

describe('seed:demo', () => {
  let t: TestApp;
  let clients: SeededClient[];
  let admin: TestOperator;
  beforeAll(async () => {
    t = await startTestApp();
    // an operator with an extension: the seed makes them the reviewer and caller of its tickets and calls
    admin = await makeOperator(t, 'admin', { name: 'Beatriz Operadora' });
    await t.dataSource.query(`UPDATE operators SET extension = '2001' WHERE id = $1`, [admin.id]);
    await seedDemo(t.dataSource, 600, () => {});
    clients = await t.dataSource.query(`SELECT * FROM clients ORDER BY code`);
  });
  afterAll(() => t.close());

  it('adds realistic clients with valid, unique CNPJs (some alphanumeric) and CPFs, contacts and links', async () => {
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

  it('gives CPFs the fiscal region of the client’s UF (their 9th digit)', () => {
    const regions: Record<string, string[]> = {
      '1': ['DF', 'GO', 'MS', 'MT', 'TO'],
      '2': ['AC', 'AM', 'AP', 'PA', 'RO', 'RR'],
      '3': ['CE', 'MA', 'PI'],
      '4': ['AL', 'PB', 'PE', 'RN'],
      '5': ['BA', 'SE'],
      '6': ['MG'],
      '7': ['ES', 'RJ'],
      '8': ['SP'],
      '9': ['PR', 'SC'],
      '0': ['RS'],
    };
    const people = clients.filter((c) => c.person_type === 'PF');
    expect(people.length).toBeGreaterThan(10);
    for (const c of people)
      expect({ cpf: c.document, uf: regions[c.document[8]] }).toMatchObject({
        uf: expect.arrayContaining([c.state]),
      });
  });

  it('gives CNPJs that look issued, not counted: consecutive clients have unrelated roots', () => {
    const roots = clients
      .filter((c) => c.person_type === 'PJ' && /^\d+$/.test(c.document) && !c.billing_client_id)
      .map((c) => Number(c.document.slice(0, 8)));
    const steps = roots.slice(1).map((root, i) => root - roots[i]);
    expect(steps.filter((step) => Math.abs(step) < 100_000)).toHaveLength(0);
    expect(new Set(steps).size).toBeGreaterThan(steps.length / 2);
  });

  it('gives every client a whole address whose CEP is of its UF, one UF per city, and phones of that UF', async () => {
    for (const c of clients) {
      expect([c.postal_code, c.street, c.number, c.district, c.city, c.state].every(Boolean)).toBe(true);
      const prefix = Number(c.postal_code!.slice(0, 5));
      expect({
        cep: c.postal_code,
        uf: c.state,
        ok: CEP_RANGES[c.state!].some(([a, b]) => prefix >= a && prefix <= b),
      }).toMatchObject({ ok: true });
      expect(isValidBrazilianPhone(c.phone)).toBe(true);
      expect(DDDS[c.state!]).toContain(Number(c.phone.slice(3, 5)));
    }
    const ufsPerCity = new Map<string, Set<string>>();
    for (const c of clients) ufsPerCity.set(c.city!, (ufsPerCity.get(c.city!) ?? new Set()).add(c.state!));
    for (const [city, ufs] of ufsPerCity)
      expect({ city, ufs: [...ufs] }).toMatchObject({ ufs: [expect.any(String)] });
    expect(ufsPerCity.size).toBeGreaterThan(20);

    const contacts: Array<{ state: string; phone: string | null; mobile: string }> = await t.dataSource.query(
      `SELECT c.state, k.phone, k.mobile FROM contacts k JOIN clients c ON c.id = k.client_id`,
    );
    for (const k of contacts) {
      for (const number of [k.phone, k.mobile].filter((p): p is string => p !== null)) {
        expect(isValidBrazilianPhone(number)).toBe(true);
        expect(DDDS[k.state]).toContain(Number(number.slice(3, 5)));
      }
    }
  });

  it('gives contacts pt-BR names whose job title agrees with the gender of the first name', async () => {
    const contacts: Array<{
      name: string;
      job_title: string | null;
      person_type: string;
      trade_name: string;
    }> = await t.dataSource.query(
      `SELECT k.name, k.job_title, c.person_type, c.trade_name FROM contacts k JOIN clients c ON c.id = k.client_id`,
    );
    const genderOf = new Map(FIRST_NAMES.map(({ name, gender }) => [name, gender]));
    let checked = 0;
    for (const k of contacts) {
      const gender = genderOf.get(k.name.split(' ')[0]);
      expect({ name: k.name, gender }).toMatchObject({ gender: expect.stringMatching(/^[fm]$/) });
      if (k.person_type === 'PF') {
        expect(k.name).toBe(k.trade_name); // a person is their own contact
        continue;
      }
      const forms = JOB_TITLES.find((title) => title.f === k.job_title || title.m === k.job_title);
      expect(forms).toBeDefined();
      expect({ name: k.name, title: k.job_title }).toEqual({ name: k.name, title: forms![gender!] });
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
    // both forms occur where they differ: "Diretora financeira" and "Diretor financeiro"
    const titles = new Set(contacts.map((k) => k.job_title));
    expect(
      JOB_TITLES.filter((t) => t.f !== t.m && titles.has(t.f) && titles.has(t.m)).length,
    ).toBeGreaterThan(3);
    const names: Array<{ name: string }> = await t.dataSource.query(
      `SELECT name FROM attendant_groups UNION ALL SELECT name FROM service_desks`,
    );
    expect(names.map((n) => n.name).sort()).toEqual([
      'Atendimento em campo',
      'Central de Serviços',
      'Infraestrutura',
      'Projetos',
      'Redes e Segurança',
      'Suporte N1',
      'Suporte N2',
    ]);
    expect(clients.filter((c) => /\b(Express|Prime|Service|Field)\b/.test(c.trade_name))).toEqual([]);
  });

  it('shows every contract state at once: active, due this month, overdue for readjustment, expired, cancelled', async () => {
    const today = todayInSaoPaulo();
    const rows: Array<{ status: string; next: string; revisions: number }> = await t.dataSource.query(
      `SELECT ${contractStatusSql('c', '$1')} AS status, to_char(c.next_readjustment_date, 'YYYY-MM-DD') AS next,
              (SELECT count(*)::int FROM contract_revisions r WHERE r.contract_id = c.id) AS revisions
       FROM contracts c`,
      [today],
    );
    const statuses = new Set(rows.map((r) => r.status));
    expect([...statuses].sort()).toEqual(['active', 'cancelled', 'expired', 'pending_readjustment']);
    const live = rows.filter((r) => r.status === 'active' || r.status === 'pending_readjustment');
    expect(live.filter((r) => r.next.slice(0, 7) === today.slice(0, 7)).length).toBeGreaterThan(0); // due this month
    expect(live.filter((r) => r.next.slice(0, 7) < today.slice(0, 7)).length).toBeGreaterThan(0); // overdue
    expect(rows.filter((r) => r.revisions > 0).length).toBeGreaterThan(0); // adendos
  });

  it('shows open tickets, closed ones pending review, displacements, calls and branches billed to their head office', async () => {
    const [counts] = await t.dataSource.query(`
      SELECT (SELECT count(*)::int FROM tickets WHERE status IN ('open', 'in_progress', 'waiting')) AS open,
             (SELECT count(*)::int FROM tickets t JOIN service_desks d ON d.id = t.service_desk_id
               WHERE d.requires_review AND t.status = 'closed' AND t.reviewed_at IS NULL) AS pending_review,
             (SELECT count(*)::int FROM tickets t JOIN service_desks d ON d.id = t.service_desk_id
               WHERE d.requires_review AND t.status = 'closed' AND t.reviewed_at IS NOT NULL) AS reviewed,
             (SELECT count(*)::int FROM ticket_events) AS events,
             (SELECT count(*)::int FROM displacements) AS displacements,
             (SELECT count(*)::int FROM call_logs) AS calls`);
    expect(counts.open).toBeGreaterThan(0);
    expect(counts.pending_review).toBeGreaterThan(0);
    expect(counts.reviewed).toBeGreaterThan(0);
    expect(counts.events).toBeGreaterThan(counts.open);
    expect(counts.displacements).toBeGreaterThan(0);
    expect(counts.calls).toBeGreaterThan(0);
    // Tickets only where the client may have them: at a desk and with a group linked to it.
    const [{ misplaced }] = await t.dataSource.query(`
      SELECT count(*)::int AS misplaced FROM tickets t
      WHERE NOT EXISTS (SELECT 1 FROM client_service_desks l WHERE l.client_id = t.client_id AND l.service_desk_id = t.service_desk_id)
         OR NOT EXISTS (SELECT 1 FROM client_attendant_groups l WHERE l.client_id = t.client_id AND l.attendant_group_id = t.attendant_group_id)`);
    expect(misplaced).toBe(0);

    const byId = new Map(clients.map((c) => [c.id, c]));
    const branches = clients.filter((c) => c.billing_client_id);
    expect(branches.length).toBeGreaterThan(0);
    for (const branch of branches) {
      const head = byId.get(branch.billing_client_id!)!;
      expect(branch.document.slice(0, 8)).toBe(head.document.slice(0, 8));
      expect(branch.trade_name).toContain(`${head.trade_name} – Filial`);
      expect(branch.email.split('@')[1]).toBe(head.email.split('@')[1]);
    }
  });

  it('keeps the inactivation rule true: inactive clients have nothing that blocks it, some active ones do', async () => {
    const blockers = t.app.get(InactivationBlockersRegistry);
    const blockedOf = async (c: SeededClient) =>
      (await blockers.collect(t.dataSource.manager, c.id)).length > 0;
    const inactive = clients.filter((c) => c.status === 'inactive');
    expect(inactive.length).toBeGreaterThan(30);
    for (const c of inactive)
      expect({ client: c.trade_name, blocked: await blockedOf(c) }).toMatchObject({ blocked: false });
    const active = clients.filter((c) => c.status === 'active').slice(0, 100);
    const blocked = (await Promise.all(active.map(blockedOf))).filter(Boolean).length;
    expect(blocked).toBeGreaterThan(10);
    expect(blocked).toBeLessThan(active.length);
  });

  it('renders: the client page of a client with everything, the readjustments due this month, the tickets', async () => {
    const [full] = await t.dataSource.query(`
      SELECT c.id, k.name AS contract, t.title AS ticket, d.name AS displacement
      FROM clients c
      JOIN contracts k ON k.client_id = c.id AND k.cancelled_at IS NULL
      JOIN tickets t ON t.client_id = c.id
      JOIN displacements d ON d.client_id = c.id
      WHERE EXISTS (SELECT 1 FROM call_logs l WHERE l.client_id = c.id AND l.provider = 'asterisk-ami')
      ORDER BY c.code LIMIT 1`);
    expect(full).toBeDefined();
    const agent = t.http();
    await login(agent, admin.email, admin.password);
    const page = await agent.get(`/clients/${full.id}`);
    expect(page.status).toBe(200);
    for (const shown of [full.contract, full.ticket, full.displacement, 'Beatriz Operadora'])
      expect(text(page.text)).toContain(shown);

    const month = todayInSaoPaulo().slice(0, 7);
    const [due] = await t.dataSource.query(
      `SELECT c.trade_name FROM contracts k JOIN clients c ON c.id = k.client_id
       WHERE k.cancelled_at IS NULL AND to_char(k.next_readjustment_date, 'YYYY-MM') = $1 LIMIT 1`,
      [month],
    );
    const readjustments = await agent.get(`/contracts?due=${month}`);
    expect(readjustments.status).toBe(200);
    expect(text(readjustments.text)).toContain(due.trade_name);
    expect((await agent.get('/tickets')).status).toBe(200);
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
