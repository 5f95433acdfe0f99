import { randomUUID } from 'node:crypto';
import { Client } from '../../../src/clients/client.entity';
import {
  cnpjFor,
  linkClient,
  makeClient,
  makeGroup,
  maskCnpj,
  nextCnpj,
} from '../../factories/client.factory';
import { makeOperator, type TestOperator } from '../../factories/operator.factory';
import {
  fieldError,
  fieldsWithErrors,
  inputValue,
  options,
  selectedValue,
  selectHtml,
  textareaValue,
} from '../../support/html';
import { csrfFor, login, postForm } from '../../support/session';
import { startTestApp, type TestApp } from '../../support/test-app';
import { markForDeletion, setDeletionMark } from '../../factories/client-data.factory';

const NEW = '/clients/new';
const SELECTS = ['personType', 'state', 'billingClientId'];

/** Every field of the client form, typed the way an operator would (masks, mixed case). */
function fullForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    tradeName: `Padaria Pão Quente ${randomUUID().slice(0, 8)}`,
    legalName: 'Pão Quente Comércio de Alimentos Ltda.',
    personType: 'PJ',
    document: maskCnpj(nextCnpj()),
    stateRegistration: '110.042.490.114',
    municipalRegistration: '1.234.567-8',
    email: 'Contato@PaoQuente.com.br',
    financialEmail: 'financeiro@paoquente.com.br',
    phone: '(11) 3456-7890',
    website: 'https://paoquente.com.br/loja?x=1&y=2',
    postalCode: '01310-100',
    street: 'Avenida Paulista',
    number: '1000',
    complement: 'Loja 2 — "fundos"',
    district: 'Bela Vista',
    city: 'São Paulo',
    state: 'SP',
    notes: 'Entregas só pela manhã.\nPortão 3 <não tocar a campainha> & ligar antes.',
    ...overrides,
  };
}

/** The form came back with every typed value in its field (inputs, selects and the textarea), trimmed. */
function expectEveryValueKept(html: string, form: Record<string, string>, except: string[] = []) {
  for (const [name, typed] of Object.entries(form)) {
    if (except.includes(name)) continue;
    const value = typed.trim();
    if (SELECTS.includes(name)) expect({ name, value: selectedValue(html, name) }).toEqual({ name, value });
    else if (name === 'notes') expect({ name, value: textareaValue(html, name) }).toEqual({ name, value });
    else expect({ name, value: inputValue(html, name) }).toEqual({ name, value });
  }
}

describe('client registration, step 1 (GET /clients/new, POST /clients)', () => {
  let t: TestApp;
  let manager: TestOperator;
  let agentOperator: TestOperator;

  beforeAll(async () => {
    t = await startTestApp();
    manager = await makeOperator(t, 'manager', { name: 'Marta Gestora' });
    agentOperator = await makeOperator(t, 'agent', { name: 'Ana Agente' });
  });
  afterAll(() => t.close());

  const signedIn = async (operator: TestOperator = manager) => {
    const agent = t.http();
    await login(agent, operator.email, operator.password);
    return agent;
  };
  const register = async (form: Record<string, string | string[]>, operator: TestOperator = manager) =>
    postForm(await signedIn(operator), '/clients', form, NEW);
  const clientNamed = (tradeName: string) => t.dataSource.getRepository(Client).findOneBy({ tradeName });
  const countNamed = (tradeName: string) => t.dataSource.getRepository(Client).countBy({ tradeName });

  it('shows step 1 with every client field grouped in fieldsets, only the trade name required', async () => {
    const res = await (await signedIn()).get(NEW);
    expect(res.status).toBe(200);
    expect(res.text).toContain('action="/clients"');
    for (const legend of ['Identificação', 'Contato', 'Endereço', 'Faturamento', 'Observações']) {
      expect(res.text).toContain(`<legend>${legend}</legend>`);
    }
    for (const name of Object.keys(fullForm())) {
      if (SELECTS.includes(name)) expect(selectHtml(res.text, name)).toBeDefined();
      else if (name === 'notes') expect(textareaValue(res.text, name)).toBe('');
      else expect(inputValue(res.text, name)).toBe('');
      // Every control has a label.
      expect(res.text).toContain(`<label for="${name}">`);
    }
    expect(selectHtml(res.text, 'billingClientId')).toBeDefined();
    expect(res.text.match(/\brequired\b/g)).toHaveLength(1);
    expect(res.text).toMatch(/<input id="tradeName"[^>]*required/);
    expect(selectedValue(res.text, 'personType')).toBe('PJ');
    expect(res.text).toContain('Passo 1');
  });

  it('registers a client with every field, redirects (303) to step 2 and stores unmasked, E.164 and upper-case values', async () => {
    const payer = await makeClient(t, { tradeName: 'Matriz Paulista', document: nextCnpj() });
    const form = fullForm({ billingClientId: payer.id });
    const res = await register(form);
    expect(res.status).toBe(303);
    const stored = (await clientNamed(form.tradeName))!;
    expect(res.headers.location).toBe(`/clients/${stored.id}/relationships`);
    expect(stored).toMatchObject({
      legalName: 'Pão Quente Comércio de Alimentos Ltda.',
      personType: 'PJ',
      document: form.document.replace(/\D/g, ''),
      stateRegistration: '110042490114',
      municipalRegistration: '1.234.567-8',
      email: 'contato@paoquente.com.br',
      financialEmail: 'financeiro@paoquente.com.br',
      phone: '+551134567890',
      website: 'https://paoquente.com.br/loja?x=1&y=2',
      postalCode: '01310100',
      street: 'Avenida Paulista',
      number: '1000',
      complement: 'Loja 2 — "fundos"',
      district: 'Bela Vista',
      city: 'São Paulo',
      state: 'SP',
      notes: form.notes.replace(/\r\n/g, '\n'),
      billingClientId: payer.id,
      status: 'active',
      version: 1,
    });
    expect(Number(stored.code)).toBeGreaterThan(Number(payer.code));
  });

  it('shows the stored values masked on the client page, with the payer of quartered billing', async () => {
    const payer = await makeClient(t, { tradeName: 'Matriz Campinas', document: '11222333000181' });
    const form = fullForm({ billingClientId: payer.id, document: '12.abc.345/01de-35' });
    const agent = await signedIn();
    const res = await postForm(agent, '/clients', form, NEW);
    expect(res.status).toBe(303);
    const stored = (await clientNamed(form.tradeName))!;
    expect(stored.document).toBe('12ABC34501DE35');

    const page = await agent.get(`/clients/${stored.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('12.ABC.345/01DE-35');
    expect(page.text).toContain('(11) 3456-7890');
    expect(page.text).toContain('href="tel:+551134567890"');
    expect(page.text).toContain('01310-100');
    expect(page.text).toContain(`#${stored.code}`);
    expect(page.text).toContain(`<a href="/clients/${payer.id}">Matriz Campinas</a> 11.222.333/0001-81`);
    // The typed text is escaped, never markup.
    expect(page.text).toContain('&lt;não tocar a campainha&gt;');
    expect(page.text).not.toContain('<não tocar');
  });

  it('accepts an alphanumeric CNPJ (July 2026 format), typed in lower case, and stores it upper-case', async () => {
    // The example of the RFB note (12.ABC.345/01DE-35) is taken by the previous test: another valid one.
    const alphanumeric = cnpjFor('A1B2C3D40001');
    const form = fullForm({ document: maskCnpj(alphanumeric).toLowerCase() });
    const res = await register(form);
    expect(res.status).toBe(303);
    expect((await clientNamed(form.tradeName))!.document).toBe(alphanumeric);
  });

  it('accepts a CPF for a person (PF) and shows it under the CPF label', async () => {
    const form = fullForm({ personType: 'PF', document: '529.982.247-25', legalName: '' });
    const agent = await signedIn();
    const res = await postForm(agent, '/clients', form, NEW);
    expect(res.status).toBe(303);
    const stored = (await clientNamed(form.tradeName))!;
    expect(stored).toMatchObject({ personType: 'PF', document: '52998224725', legalName: null });
    const page = await agent.get(`/clients/${stored.id}`);
    expect(page.text).toMatch(/<dt>CPF<\/dt><dd>529\.982\.247-25<\/dd>/);
  });

  it('accepts ISENTO as the inscrição estadual, in any case', async () => {
    const form = fullForm({ stateRegistration: 'isento' });
    expect((await register(form)).status).toBe(303);
    expect((await clientNamed(form.tradeName))!.stateRegistration).toBe('ISENTO');
  });

  it('registers with the trade name alone and leaves every optional field empty', async () => {
    const res = await register({ tradeName: 'Só o Nome' });
    expect(res.status).toBe(303);
    expect(await clientNamed('Só o Nome')).toMatchObject({
      personType: 'PJ',
      document: null,
      email: null,
      phone: null,
      postalCode: null,
      city: null,
      state: null,
      billingClientId: null,
      status: 'active',
    });
  });

  it.each([
    ['a missing trade name', { tradeName: '' }, 'tradeName', 'Campo obrigatório.'],
    ['a one-letter trade name', { tradeName: 'X' }, 'tradeName', 'Deve ter entre 2 e 120 caracteres.'],
    ['a CNPJ with a wrong check digit', { document: '11.222.333/0001-82' }, 'document', 'CNPJ inválido'],
    [
      'an alphanumeric CNPJ with a wrong check digit',
      { document: '12.ABC.345/01DE-36' },
      'document',
      'CNPJ inválido',
    ],
    [
      'a CNPJ for a person (PF)',
      { personType: 'PF', document: '11.222.333/0001-81' },
      'document',
      'CPF inválido',
    ],
    [
      'a CPF for a company (PJ)',
      { personType: 'PJ', document: '529.982.247-25' },
      'document',
      'CNPJ inválido',
    ],
    ['an unknown person type', { personType: 'PX' }, 'personType', 'Escolha uma opção válida.'],
    [
      'an inscrição estadual invalid for the UF',
      { stateRegistration: '110.042.490.115' },
      'stateRegistration',
      'Inscrição estadual inválida para SP',
    ],
    [
      'an IE of another UF (RJ) for SP',
      { stateRegistration: '99.999.99-3' },
      'stateRegistration',
      'Inscrição estadual inválida para SP',
    ],
    ['a CEP with 7 digits', { postalCode: '1310-100' }, 'postalCode', 'CEP inválido'],
    ['the placeholder CEP 00000-000', { postalCode: '00000-000' }, 'postalCode', 'CEP inválido'],
    ['a malformed e-mail', { email: 'contato@@paoquente' }, 'email', 'Informe um e-mail válido.'],
    [
      'a malformed financial e-mail',
      { financialEmail: 'financeiro.paoquente.com.br' },
      'financialEmail',
      'Informe um e-mail válido.',
    ],
    ['a phone that is not Brazilian', { phone: '+1 212 555 0100' }, 'phone', 'Telefone inválido'],
    ['a phone with too few digits', { phone: '3456-78' }, 'phone', 'Telefone inválido'],
    ['an ftp:// website', { website: 'ftp://paoquente.com.br' }, 'website', 'Site inválido'],
    ['a javascript: website', { website: 'javascript:alert(1)' }, 'website', 'Site inválido'],
    [
      'notes over 5,000 characters',
      { notes: 'a'.repeat(5001) },
      'notes',
      'Deve ter no máximo 5000 caracteres.',
    ],
    [
      'a malformed billing client id',
      { billingClientId: 'matriz' },
      'billingClientId',
      'Escolha um cliente pagador válido.',
    ],
  ])(
    'refuses %s with 422, a message at the field and every typed value kept',
    async (_, override, field, message) => {
      const form = fullForm(override);
      const res = await register(form);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, field)).toContain(message);
      expect(fieldsWithErrors(res.text)).toEqual([field]);
      expect(res.text).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
      expect(res.text).toContain('Corrija os campos destacados.');
      // The select cannot show a value it has no option for; everything else comes back as typed.
      expectEveryValueKept(
        res.text,
        form,
        field === 'personType' || field === 'billingClientId' ? [field] : [],
      );
      expect(await countNamed(form.tradeName)).toBe(0);
    },
  );

  it('refuses a UF that is not one of the 27 and keeps the other values', async () => {
    const form = fullForm({ state: 'XX' });
    const res = await register(form);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'state')).toBe('Escolha uma das 27 UFs.');
    expectEveryValueKept(res.text, form, ['state']);
    expect(await countNamed(form.tradeName)).toBe(0);
  });

  it('refuses an address without city and UF, with a message at each, and keeps the address typed', async () => {
    const form = fullForm();
    delete form.city;
    delete form.state;
    const res = await register(form);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'city')).toBeTruthy();
    expect(fieldError(res.text, 'state')).toBeTruthy();
    expect(fieldsWithErrors(res.text).sort()).toEqual(['city', 'state']);
    expectEveryValueKept(res.text, form);
    expect(inputValue(res.text, 'city')).toBe('');
    expect(await countNamed(form.tradeName)).toBe(0);
  });

  it('reports every invalid field at once', async () => {
    const form = fullForm({ document: '123', email: 'x@', postalCode: 'abc', website: 'ftp://x' });
    const res = await register(form);
    expect(res.status).toBe(422);
    expect(fieldsWithErrors(res.text).sort()).toEqual(['document', 'email', 'postalCode', 'website']);
    expectEveryValueKept(res.text, form);
  });

  it('keeps the chosen payer selected when the form is refused', async () => {
    const payer = await makeClient(t, { tradeName: 'Matriz Sorocaba' });
    const form = fullForm({ billingClientId: payer.id, postalCode: '123' });
    const res = await register(form);
    expect(res.status).toBe(422);
    expect(selectedValue(res.text, 'billingClientId')).toBe(payer.id);
    expect(selectHtml(res.text, 'billingClientId')).toContain('Matriz Sorocaba');
  });

  describe('duplicate CNPJ/CPF', () => {
    it.each([
      ['typed masked, stored unmasked', (doc: string) => maskCnpj(doc)],
      ['typed unmasked', (doc: string) => doc],
      [
        'typed with spaces and a different mask',
        (doc: string) => ` ${doc.slice(0, 8)} ${doc.slice(8, 12)}-${doc.slice(12)} `,
      ],
    ])(
      'refuses a document another client has (%s), naming that client as "#<code> — <name>"',
      async (_, typed) => {
        const document = nextCnpj();
        const holder = await makeClient(t, { tradeName: 'Distribuidora Holder', document });
        const form = fullForm({ document: typed(document) });
        const res = await register(form);
        expect(res.status).toBe(422);
        expect(fieldError(res.text, 'document')).toBe(
          `Este documento já pertence ao cliente #${holder.code} — Distribuidora Holder.`,
        );
        expectEveryValueKept(res.text, form);
        expect(await countNamed(form.tradeName)).toBe(0);
      },
    );

    it('refuses an alphanumeric CNPJ typed in lower case when it is stored in upper case', async () => {
      const document = cnpjFor('ZX9Y8W7V0001');
      const holder = await makeClient(t, { tradeName: 'Alfa Numérica', document });
      const res = await register(fullForm({ document: maskCnpj(document).toLowerCase() }));
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'document')).toBe(
        `Este documento já pertence ao cliente #${holder.code} — Alfa Numérica.`,
      );
    });

    it('refuses a CPF another person has', async () => {
      const holder = await makeClient(t, {
        tradeName: 'João da Silva',
        personType: 'PF',
        document: '39053344705',
      });
      const res = await register(fullForm({ personType: 'PF', document: '390.533.447-05' }));
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'document')).toBe(
        `Este documento já pertence ao cliente #${holder.code} — João da Silva.`,
      );
    });

    it('accepts the document of a client that is being deleted', async () => {
      const document = nextCnpj();
      const leaving = await makeClient(t, { tradeName: 'Em Exclusão', document });
      await markForDeletion(t, leaving.id);
      const form = fullForm({ document: maskCnpj(document) });
      expect((await register(form)).status).toBe(303);
      expect((await clientNamed(form.tradeName))!.document).toBe(document);
    });
  });

  describe('quartered billing (faturamento quarteirizado)', () => {
    const edit = async (client: Client, fields: Record<string, string>) => {
      const agent = await signedIn();
      const current = (await t.dataSource.getRepository(Client).findOneBy({ id: client.id }))!;
      return postForm(
        agent,
        `/clients/${client.id}`,
        { tradeName: current.tradeName, version: String(current.version), ...fields },
        `/clients/${client.id}/edit`,
      );
    };
    const billingOf = async (id: string) =>
      (await t.dataSource.getRepository(Client).findOneBy({ id }))!.billingClientId;

    it('refuses a client billed to itself', async () => {
      const a = await makeClient(t, { tradeName: 'Autofaturada' });
      const res = await edit(a, { billingClientId: a.id });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'billingClientId')).toBe('Um cliente não pode faturar para si mesmo.');
      expect(await billingOf(a.id)).toBeNull();
    });

    it('refuses a cycle: B cannot bill to A once A bills to B', async () => {
      const b = await makeClient(t, { tradeName: 'Ciclo B' });
      const form = fullForm({ tradeName: 'Ciclo A', billingClientId: b.id });
      expect((await register(form)).status).toBe(303);
      const a = (await clientNamed('Ciclo A'))!;
      expect(a.billingClientId).toBe(b.id);

      const res = await edit(b, { billingClientId: a.id, city: 'Santos', state: 'SP' });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'billingClientId')).toContain('ciclo de faturamento');
      expect(selectedValue(res.text, 'billingClientId')).toBe(a.id);
      expect(inputValue(res.text, 'city')).toBe('Santos');
      const stored = (await t.dataSource.getRepository(Client).findOneBy({ id: b.id }))!;
      expect(stored).toMatchObject({ billingClientId: null, city: null, version: 1 });
    });

    it('allows a chain A → B → C, and refuses closing it (C → A)', async () => {
      const c = await makeClient(t, { tradeName: 'Cadeia C' });
      const b = await makeClient(t, { tradeName: 'Cadeia B', billingClientId: c.id });
      const res = await register(fullForm({ tradeName: 'Cadeia A', billingClientId: b.id }));
      expect(res.status).toBe(303);
      const a = (await clientNamed('Cadeia A'))!;
      expect(a.billingClientId).toBe(b.id);

      const closing = await edit(c, { billingClientId: a.id });
      expect(closing.status).toBe(422);
      expect(fieldError(closing.text, 'billingClientId')).toContain('ciclo de faturamento');
      expect(await billingOf(c.id)).toBeNull();
    });

    it('lets two clients bill to the same payer (matriz paying for two filiais)', async () => {
      const matriz = await makeClient(t, { tradeName: 'Matriz Dupla' });
      expect((await register(fullForm({ tradeName: 'Filial Um', billingClientId: matriz.id }))).status).toBe(
        303,
      );
      expect(
        (await register(fullForm({ tradeName: 'Filial Dois', billingClientId: matriz.id }))).status,
      ).toBe(303);
    });

    it('refuses an unknown billing client id with 422 and stores nothing', async () => {
      const form = fullForm({ billingClientId: randomUUID() });
      const res = await register(form);
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'billingClientId')).toBe('Escolha um cliente pagador válido.');
      expectEveryValueKept(res.text, form, ['billingClientId']);
      expect(await countNamed(form.tradeName)).toBe(0);
    });

    it('refuses a payer that is being deleted', async () => {
      const leaving = await makeClient(t, { tradeName: 'Pagadora Saindo' });
      await markForDeletion(t, leaving.id);
      const res = await register(fullForm({ billingClientId: leaving.id }));
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'billingClientId')).toBe('Escolha um cliente pagador válido.');
    });
  });

  describe('the payer shown on the client page and in the form, within the operator’s scope', () => {
    it('shows an agent that a client is billed to another one outside their groups, but not which (no name, no link)', async () => {
      const group = await makeGroup(t, undefined, [agentOperator]);
      const payer = await makeClient(t, { tradeName: 'Matriz Fora do Grupo' });
      const branch = await makeClient(t, { tradeName: 'Filial do Grupo', billingClientId: payer.id });
      await linkClient(t, branch, { groups: [group] });
      const res = await (await signedIn(agentOperator)).get(`/clients/${branch.id}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('Outro cliente (fora dos seus grupos de atendentes)');
      expect(res.text).not.toContain('Matriz Fora do Grupo');
      expect(res.text).not.toContain(`href="/clients/${payer.id}"`);
    });

    it('shows an agent the payer, with its link, when it is in one of their groups', async () => {
      const group = await makeGroup(t, undefined, [agentOperator]);
      const payer = await makeClient(t, { tradeName: 'Matriz do Grupo' });
      const branch = await makeClient(t, { tradeName: 'Filial Vizinha', billingClientId: payer.id });
      await linkClient(t, payer, { groups: [group] });
      await linkClient(t, branch, { groups: [group] });
      const res = await (await signedIn(agentOperator)).get(`/clients/${branch.id}`);
      expect(res.text).toContain(`<a href="/clients/${payer.id}">Matriz do Grupo</a>`);
    });

    it('shows a manager every payer with its link, whatever the groups', async () => {
      const payer = await makeClient(t, { tradeName: 'Matriz Sem Grupo' });
      const branch = await makeClient(t, { tradeName: 'Filial Sem Grupo', billingClientId: payer.id });
      const res = await (await signedIn()).get(`/clients/${branch.id}`);
      expect(res.text).toContain(`<a href="/clients/${payer.id}">Matriz Sem Grupo</a>`);
    });

    it('never names a payer marked for deletion: not on the client page, not in a refused form', async () => {
      const payer = await makeClient(t, { tradeName: 'Matriz em Exclusão' });
      const branch = await makeClient(t, { tradeName: 'Filial Órfã', billingClientId: payer.id });
      await setDeletionMark(t, payer);
      for (const operator of [manager, agentOperator]) {
        if (operator === agentOperator)
          await linkClient(t, branch, { groups: [await makeGroup(t, undefined, [agentOperator])] });
        const page = await (await signedIn(operator)).get(`/clients/${branch.id}`);
        expect(page.status).toBe(200);
        expect(page.text).not.toContain('Matriz em Exclusão');
        expect(page.text).toContain('O próprio cliente');
      }
      const refused = await register(fullForm({ billingClientId: payer.id, postalCode: '123' }));
      expect(refused.status).toBe(422);
      expect(refused.text).not.toContain('Matriz em Exclusão');
      const edit = await (await signedIn()).get(`/clients/${branch.id}/edit`);
      expect(edit.text).not.toContain('Matriz em Exclusão');
    });
  });

  describe('billing client search', () => {
    let matrizCuritiba: Client;
    let matrizSaoPaulo: Client;
    let filialNorte: Client;
    let matrizInativa: Client;

    beforeAll(async () => {
      matrizCuritiba = await makeClient(t, { tradeName: 'Rede Matriz Curitiba', document: '11444777000161' });
      matrizSaoPaulo = await makeClient(t, { tradeName: 'Rede Matriz São Paulo' });
      filialNorte = await makeClient(t, { tradeName: 'Rede Filial Norte' });
      matrizInativa = await makeClient(t, { tradeName: 'Rede Matriz Antiga', status: 'inactive' });
    });

    it('without JavaScript: "Buscar" posts the form and gets it back (200) with matching options and every typed value kept', async () => {
      const form = fullForm({ tradeName: 'Filial Sul Busca' });
      const res = await register({ ...form, intent: 'billing-search', billingSearch: 'rede matriz' });
      expect(res.status).toBe(200);
      const offered = options(selectHtml(res.text, 'billingClientId')!).map((o) => o.value);
      expect(offered).toEqual(expect.arrayContaining(['', matrizCuritiba.id, matrizSaoPaulo.id]));
      expect(offered).not.toContain(filialNorte.id);
      expect(offered).not.toContain(matrizInativa.id);
      expect(selectHtml(res.text, 'billingClientId')).toContain('Rede Matriz Curitiba (#');
      expect(selectHtml(res.text, 'billingClientId')).toContain('11.444.777/0001-61');
      expectEveryValueKept(res.text, form);
      expect(inputValue(res.text, 'billingSearch')).toBe('rede matriz');
      expect(fieldsWithErrors(res.text)).toEqual([]);
      expect(await countNamed(form.tradeName)).toBe(0);

      // Picking one of the options and saving stores it.
      const saved = await register({ ...form, billingClientId: matrizCuritiba.id });
      expect(saved.status).toBe(303);
      expect((await clientNamed(form.tradeName))!.billingClientId).toBe(matrizCuritiba.id);
    });

    it('finds payers by name without accents and by document, masked or not', async () => {
      for (const term of ['sao paulo', 'SÃO PAULO']) {
        const res = await register({
          tradeName: 'Busca Acento',
          intent: 'billing-search',
          billingSearch: term,
        });
        expect(options(selectHtml(res.text, 'billingClientId')!).map((o) => o.value)).toEqual([
          '',
          matrizSaoPaulo.id,
        ]);
      }
      for (const term of ['11.444.777/0001-61', '11444777']) {
        const res = await register({
          tradeName: 'Busca Documento',
          intent: 'billing-search',
          billingSearch: term,
        });
        expect(options(selectHtml(res.text, 'billingClientId')!).map((o) => o.value)).toEqual([
          '',
          matrizCuritiba.id,
        ]);
      }
    });

    it('keeps the previously chosen payer when a search finds nothing', async () => {
      const res = await register({
        tradeName: 'Busca Vazia',
        billingClientId: matrizCuritiba.id,
        intent: 'billing-search',
        billingSearch: 'inexistente',
      });
      expect(res.status).toBe(200);
      expect(selectedValue(res.text, 'billingClientId')).toBe(matrizCuritiba.id);
    });

    it('GET /clients/picker?q= answers only <option>s for htmx, active clients only, never the client itself', async () => {
      const agent = await signedIn();
      const res = await agent.get('/clients/picker').query({ q: 'rede matriz' });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<html');
      expect(res.text.trim()).toMatch(/^<option value="">O próprio cliente<\/option>/);
      const values = options(res.text).map((o) => o.value);
      expect(values).toEqual(['', matrizCuritiba.id, matrizSaoPaulo.id]);
      expect(options(res.text)[1].label).toBe(
        `Rede Matriz Curitiba (#${matrizCuritiba.code} · 11.444.777/0001-61)`,
      );

      const except = await agent
        .get('/clients/picker')
        .query({ q: 'rede matriz', except: matrizCuritiba.id });
      expect(options(except.text).map((o) => o.value)).toEqual(['', matrizSaoPaulo.id]);

      // What htmx sends from the form's search box (named for the no-JS "Buscar"): the same answer.
      const fromForm = await agent.get('/clients/picker').query({ billingSearch: 'rede matriz', except: '' });
      expect(options(fromForm.text).map((o) => o.value)).toEqual(['', matrizCuritiba.id, matrizSaoPaulo.id]);
    });

    it('GET /clients/picker escapes client names', async () => {
      await makeClient(t, { tradeName: 'Rede <b>Negrito</b> & Cia' });
      const res = await (await signedIn()).get('/clients/picker').query({ q: 'negrito' });
      expect(res.text).toContain('Rede &lt;b&gt;Negrito&lt;/b&gt; &amp; Cia');
      expect(res.text).not.toContain('<b>');
    });
  });

  it('answers an htmx submission with HX-Redirect to step 2', async () => {
    const agent = await signedIn();
    const token = await csrfFor(agent, NEW);
    const res = await agent
      .post('/clients')
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', token)
      .type('form')
      .send({ tradeName: 'Via htmx' });
    expect(res.status).toBe(200);
    const stored = (await clientNamed('Via htmx'))!;
    expect(res.headers['hx-redirect']).toBe(`/clients/${stored.id}/relationships`);
  });

  it('answers 400 to a field the form does not have, and stores nothing', async () => {
    const extras: Array<Record<string, string>> = [
      { isAdmin: 'true' },
      { status: 'inactive' },
      { code: '1' },
      { version: '7' },
    ];
    for (const extra of extras) {
      const form = fullForm();
      const res = await register({ ...form, ...extra });
      if ('version' in extra) {
        // `version` is a field of the edit form; on registration it is accepted and ignored.
        expect(res.status).toBe(303);
        expect((await clientNamed(form.tradeName))!.version).toBe(1);
        continue;
      }
      expect(res.status).toBe(400);
      expect(await countNamed(form.tradeName)).toBe(0);
    }
  });

  it('answers 403 to an agent, on the form and on a submission, and stores nothing', async () => {
    const agent = await signedIn(agentOperator);
    expect((await agent.get(NEW)).status).toBe(403);
    const res = await postForm(agent, '/clients', { tradeName: 'Cliente do Agente' }, '/account');
    expect(res.status).toBe(403);
    expect(await countNamed('Cliente do Agente')).toBe(0);
  });

  it('sends an anonymous visitor to the login page', async () => {
    const res = await t.http().get(NEW);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(NEW)}`);
  });
});
