import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/** Realistic pt-BR demo data, bulk-inserted in multi-row statements (1,000,000 clients in minutes). */
const KINDS = [
  'Ferragens',
  'Padaria',
  'Clínica',
  'Transportes',
  'Construtora',
  'Supermercado',
  'Contabilidade',
  'Auto Peças',
  'Farmácia',
  'Tecnologia',
  'Escola',
  'Laboratório',
  'Hotel',
  'Restaurante',
  'Distribuidora',
  'Advocacia',
  'Imobiliária',
  'Academia',
  'Gráfica',
  'Metalúrgica',
];
const NAMES = [
  'Silva',
  'Souza',
  'Oliveira',
  'Santos',
  'Pereira',
  'Lima',
  'Carvalho',
  'Almeida',
  'Ribeiro',
  'Gomes',
  'Martins',
  'Araújo',
  'Barbosa',
  'Rocha',
  'Dias',
  'Moreira',
  'Cardoso',
  'Teixeira',
  'Correia',
  'Mendes',
  'Nogueira',
  'Batista',
  'Freitas',
  'Campos',
  'Vieira',
  'Castro',
  'Pinto',
  'Monteiro',
  'Moura',
  'Fernandes',
];
const QUALIFIERS = [
  'Central',
  'do Vale',
  'Paulista',
  'Nordeste',
  'Sul',
  'Express',
  'Prime',
  'Brasil',
  'Norte',
  'Serra',
  'Mar',
  'Nova Era',
  'Horizonte',
  'União',
  'Popular',
];
const SUFFIXES = ['Ltda', 'ME', 'EIRELI', 'S.A.', 'EPP'];
const CITIES: Array<[string, string, string]> = [
  ['São Paulo', 'SP', '11'],
  ['Campinas', 'SP', '19'],
  ['Santos', 'SP', '13'],
  ['Rio de Janeiro', 'RJ', '21'],
  ['Niterói', 'RJ', '21'],
  ['Belo Horizonte', 'MG', '31'],
  ['Uberlândia', 'MG', '34'],
  ['Curitiba', 'PR', '41'],
  ['Londrina', 'PR', '43'],
  ['Porto Alegre', 'RS', '51'],
  ['Caxias do Sul', 'RS', '54'],
  ['Florianópolis', 'SC', '48'],
  ['Joinville', 'SC', '47'],
  ['Salvador', 'BA', '71'],
  ['Recife', 'PE', '81'],
  ['Fortaleza', 'CE', '85'],
  ['Goiânia', 'GO', '62'],
  ['Brasília', 'DF', '61'],
  ['Manaus', 'AM', '92'],
  ['Belém', 'PA', '91'],
  ['Vitória', 'ES', '27'],
  ['Natal', 'RN', '84'],
  ['João Pessoa', 'PB', '83'],
  ['Maceió', 'AL', '82'],
  ['Aracaju', 'SE', '79'],
  ['Cuiabá', 'MT', '65'],
  ['Campo Grande', 'MS', '67'],
  ['São Luís', 'MA', '98'],
  ['Teresina', 'PI', '86'],
  ['Palmas', 'TO', '63'],
];
const FIRST = [
  'Ana',
  'Bruno',
  'Carla',
  'Diego',
  'Eduarda',
  'Felipe',
  'Gabriela',
  'Henrique',
  'Isabela',
  'João',
  'Karina',
  'Lucas',
  'Mariana',
  'Nicolas',
  'Patrícia',
  'Rafael',
  'Sofia',
  'Thiago',
  'Vanessa',
  'Wagner',
];
const ROLES = [
  'Gerente de TI',
  'Diretor',
  'Financeiro',
  'Coordenadora administrativa',
  'Analista de suporte',
  'Proprietário',
];

/** Check digits of a CNPJ base (12 characters, 0-9A-Z): value = ASCII − 48, weights 2..9 from the right. */
export function cnpjCheckDigits(base: string): string {
  const digit = (chars: string) => {
    let sum = 0;
    let weight = 2;
    for (let i = chars.length - 1; i >= 0; i--) {
      sum += (chars.charCodeAt(i) - 48) * weight;
      weight = weight === 9 ? 2 : weight + 1;
    }
    const rest = sum % 11;
    return rest < 2 ? 0 : 11 - rest;
  };
  const first = digit(base);
  return `${first}${digit(base + first)}`;
}

function cpfFor(n: number): string {
  const base = String(100000000 + (n % 899999999)).slice(0, 9);
  const dv = (digits: string, start: number) => {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (start - i);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  const d1 = dv(base, 10);
  return `${base}${d1}${dv(base + d1, 11)}`;
}

const ALNUM = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** A unique, valid document for the n-th client: mostly numeric CNPJs, some alphanumeric, some CPFs. */
function documentFor(n: number): { personType: 'PJ' | 'PF'; document: string } {
  if (n % 25 === 0) return { personType: 'PF', document: cpfFor(n * 7919) };
  let root: string;
  if (n % 10 === 3) {
    let x = n;
    root = '';
    for (let i = 0; i < 8; i++) {
      root = ALNUM[x % ALNUM.length] + root;
      x = Math.floor(x / ALNUM.length);
    }
    root = 'A' + root.slice(1); // the leading letter keeps alphanumeric roots apart from numeric ones
  } else {
    root = String(n).padStart(8, '0');
  }
  const base = `${root}0001`;
  return { personType: 'PJ', document: base + cnpjCheckDigits(base) };
}

const pick = <T>(list: T[], n: number): T => list[n % list.length];
/** A cheap integer hash, so the name parts of consecutive clients vary independently. */
const mix = (n: number, salt: number): number => Math.imul(n ^ salt, 2654435761) >>> 7;
const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

export async function seedDemo(
  dataSource: DataSource,
  clients: number,
  log: (m: string) => void = console.log,
): Promise<void> {
  const started = Date.now();
  const [{ existing }] = await dataSource.query(`SELECT count(*)::int AS existing FROM clients`);
  const groups = await ensureRows(dataSource, 'attendant_groups', [
    'Suporte N1',
    'Suporte N2',
    'Infraestrutura',
    'Field service',
  ]);
  const desks = await ensureRows(dataSource, 'service_desks', [
    'Service Desk',
    'Projetos',
    'Redes e segurança',
  ]);
  await dataSource.query(`UPDATE service_desks SET requires_review = true WHERE name = 'Projetos'`);
  const batch = 5000;
  for (let offset = existing; offset < existing + clients; offset += batch) {
    const size = Math.min(batch, existing + clients - offset);
    const rows: unknown[] = [];
    const links: string[] = [];
    const contacts: unknown[] = [];
    for (let i = 0; i < size; i++) {
      const n = offset + i + 1;
      const id = randomUUID();
      const kind = pick(KINDS, mix(n, 11));
      const name = pick(NAMES, mix(n, 23));
      const qualifier = pick(QUALIFIERS, mix(n, 37));
      const [city, uf, ddd] = pick(CITIES, mix(n, 53));
      const { personType, document } = documentFor(n);
      const tradeName =
        personType === 'PF'
          ? `${pick(FIRST, mix(n, 71))} ${name} ${pick(NAMES, mix(n, 89))}`
          : `${kind} ${name} ${qualifier}`;
      const legalName = personType === 'PF' ? null : `${kind} ${name} ${qualifier} ${pick(SUFFIXES, n)}`;
      const domain = `${slug(tradeName)}${n}.com.br`;
      const phone = `+55${ddd}3${String(100 + (n % 900)).padStart(3, '0')}${String(n % 10000).padStart(4, '0')}`;
      const status = n % 10 === 7 ? 'inactive' : 'active';
      rows.push([
        id,
        tradeName,
        legalName,
        personType,
        document,
        `contato@${domain}`,
        phone,
        city,
        uf,
        status,
      ]);
      if (n % 20 !== 0) links.push(`('${id}','${pick(groups, n)}')`);
      if (n % 20 !== 0) links.push(`('${id}','${pick(desks, n)}')#desk`);
      if (n % 10 < 7) {
        const first = pick(FIRST, n * 3);
        contacts.push([
          id,
          `${first} ${pick(NAMES, n * 5)}`,
          pick(ROLES, n),
          `${slug(first)}@${domain}`,
          `+55${ddd}9${String(80000000 + (n % 19999999)).padStart(8, '0')}`,
        ]);
      }
    }
    await dataSource.transaction(async (tx) => {
      await insertMany(
        tx.query.bind(tx),
        'clients',
        [
          'id',
          'trade_name',
          'legal_name',
          'person_type',
          'document',
          'email',
          'phone',
          'city',
          'state',
          'status',
        ],
        rows,
      );
      const groupLinks = links.filter((l) => !l.endsWith('#desk'));
      const deskLinks = links.filter((l) => l.endsWith('#desk')).map((l) => l.slice(0, -5));
      if (groupLinks.length)
        await tx.query(
          `INSERT INTO client_attendant_groups (client_id, attendant_group_id) VALUES ${groupLinks.join(',')}`,
        );
      if (deskLinks.length)
        await tx.query(
          `INSERT INTO client_service_desks (client_id, service_desk_id) VALUES ${deskLinks.join(',')}`,
        );
      await insertMany(
        tx.query.bind(tx),
        'contacts',
        ['client_id', 'name', 'job_title', 'email', 'mobile'],
        contacts,
        ', true',
      );
    });
    if ((offset - existing + size) % 50000 === 0 || offset + size >= existing + clients) {
      log(
        `  ${offset - existing + size} / ${clients} clients (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  }
  await dataSource.query(
    `ANALYZE clients; ANALYZE contacts; ANALYZE client_attendant_groups; ANALYZE client_service_desks`,
  );
  log(`Seeded ${clients} clients in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

async function ensureRows(dataSource: DataSource, table: string, names: string[]): Promise<string[]> {
  for (const name of names) {
    await dataSource.query(
      `INSERT INTO ${table} (name) SELECT $1::varchar WHERE NOT EXISTS (SELECT 1 FROM ${table} WHERE lower(name) = lower($1::varchar))`,
      [name],
    );
  }
  const rows: Array<{ id: string }> = await dataSource.query(`SELECT id FROM ${table} ORDER BY name`);
  return rows.map((r) => r.id);
}

/** One multi-row INSERT with numbered parameters ($1…); `extra` appends constant values to each row. */
async function insertMany(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  table: string,
  columns: string[],
  rows: unknown[],
  extra = '',
) {
  if (!rows.length) return;
  const params: unknown[] = [];
  const tuples = (rows as unknown[][]).map(
    (row) => `(${row.map((value) => `$${params.push(value)}`).join(',')}${extra})`,
  );
  const allColumns = extra ? [...columns, 'is_primary'] : columns;
  await query(`INSERT INTO ${table} (${allColumns.join(',')}) VALUES ${tuples.join(',')}`, params);
}
