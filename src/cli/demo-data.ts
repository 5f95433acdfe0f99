import { addDays, addMonths, daysInMonth, type IsoDate } from '../common/calendar';

/**
 * The demo data of `seed:demo`, as pure functions of the client's sequence number: the same n always gives
 * the same client, contacts, contracts, tickets, displacements and calls, so a second run appends without
 * clashing documents. Everything a Brazilian operator would notice is consistent: names are pt-BR, a
 * contact's job title agrees with the gender of the first name, a city goes with its UF, its area code (DDD)
 * and a CEP of its range, addresses are whole, CNPJs and CPFs have valid check digits and are not
 * sequential. And the data shows every rule at once: inactive clients (without anything that would block
 * inactivation), clients without relationships, quartered billing (a branch billed to its head office),
 * contracts active, due or overdue for readjustment, expired and cancelled, open tickets and closed ones
 * pending review, displacements and calls.
 */

export interface DemoCity {
  name: string;
  uf: string;
  ddd: string;
  /** The city's CEP range (Correios), as numbers. */
  cep: [number, number];
  districts: string[];
}

// prettier-ignore
export const DEMO_CITIES: readonly DemoCity[] = [
  { name: 'São Paulo', uf: 'SP', ddd: '11', cep: [1000000, 5999999], districts: ['Bela Vista', 'Pinheiros', 'Moema', 'Tatuapé', 'Santana', 'Vila Mariana'] },
  { name: 'Campinas', uf: 'SP', ddd: '19', cep: [13000000, 13139999], districts: ['Cambuí', 'Centro', 'Taquaral', 'Barão Geraldo', 'Castelo'] },
  { name: 'Santos', uf: 'SP', ddd: '13', cep: [11000000, 11099999], districts: ['Gonzaga', 'Boqueirão', 'Ponta da Praia', 'Centro', 'Vila Mathias'] },
  { name: 'Rio de Janeiro', uf: 'RJ', ddd: '21', cep: [20000000, 23799999], districts: ['Centro', 'Copacabana', 'Tijuca', 'Botafogo', 'Barra da Tijuca', 'Méier'] },
  { name: 'Niterói', uf: 'RJ', ddd: '21', cep: [24000000, 24399999], districts: ['Icaraí', 'Centro', 'Santa Rosa', 'São Francisco', 'Ingá'] },
  { name: 'Belo Horizonte', uf: 'MG', ddd: '31', cep: [30000000, 31999999], districts: ['Savassi', 'Funcionários', 'Centro', 'Pampulha', 'Buritis', 'Lourdes'] },
  { name: 'Uberlândia', uf: 'MG', ddd: '34', cep: [38400000, 38415999], districts: ['Centro', 'Santa Mônica', 'Tibery', 'Martins', 'Umuarama'] },
  { name: 'Curitiba', uf: 'PR', ddd: '41', cep: [80000000, 82999999], districts: ['Centro', 'Batel', 'Água Verde', 'Bigorrilho', 'Portão', 'Boa Vista'] },
  { name: 'Londrina', uf: 'PR', ddd: '43', cep: [86000000, 86099999], districts: ['Centro', 'Gleba Palhano', 'Jardim Higienópolis', 'Vila Brasil'] },
  { name: 'Porto Alegre', uf: 'RS', ddd: '51', cep: [90000000, 91999999], districts: ['Centro Histórico', 'Moinhos de Vento', 'Menino Deus', 'Petrópolis', 'Cidade Baixa'] },
  { name: 'Caxias do Sul', uf: 'RS', ddd: '54', cep: [95000000, 95124999], districts: ['Centro', 'São Pelegrino', 'Exposição', 'Pio X'] },
  { name: 'Florianópolis', uf: 'SC', ddd: '48', cep: [88000000, 88099999], districts: ['Centro', 'Trindade', 'Estreito', 'Coqueiros', 'Itacorubi'] },
  { name: 'Joinville', uf: 'SC', ddd: '47', cep: [89200000, 89239999], districts: ['Centro', 'América', 'Atiradores', 'Glória', 'Anita Garibaldi'] },
  { name: 'Salvador', uf: 'BA', ddd: '71', cep: [40000000, 42499999], districts: ['Pituba', 'Barra', 'Itaigara', 'Rio Vermelho', 'Comércio'] },
  { name: 'Recife', uf: 'PE', ddd: '81', cep: [50000000, 52999999], districts: ['Boa Viagem', 'Casa Forte', 'Espinheiro', 'Graças', 'Santo Amaro'] },
  { name: 'Fortaleza', uf: 'CE', ddd: '85', cep: [60000000, 61599999], districts: ['Aldeota', 'Meireles', 'Centro', 'Cocó', 'Papicu'] },
  { name: 'Goiânia', uf: 'GO', ddd: '62', cep: [74000000, 74899999], districts: ['Setor Bueno', 'Setor Oeste', 'Setor Marista', 'Centro', 'Jardim Goiás'] },
  { name: 'Brasília', uf: 'DF', ddd: '61', cep: [70000000, 72799999], districts: ['Asa Sul', 'Asa Norte', 'Lago Sul', 'Sudoeste', 'Noroeste'] },
  { name: 'Manaus', uf: 'AM', ddd: '92', cep: [69000000, 69099999], districts: ['Adrianópolis', 'Centro', 'Aleixo', 'Chapada', 'Parque 10 de Novembro'] },
  { name: 'Belém', uf: 'PA', ddd: '91', cep: [66000000, 66999999], districts: ['Nazaré', 'Umarizal', 'Batista Campos', 'Marco', 'Reduto'] },
  { name: 'Vitória', uf: 'ES', ddd: '27', cep: [29000000, 29099999], districts: ['Praia do Canto', 'Jardim da Penha', 'Centro', 'Enseada do Suá', 'Bento Ferreira'] },
  { name: 'Natal', uf: 'RN', ddd: '84', cep: [59000000, 59139999], districts: ['Tirol', 'Petrópolis', 'Lagoa Nova', 'Ponta Negra', 'Capim Macio'] },
  { name: 'João Pessoa', uf: 'PB', ddd: '83', cep: [58000000, 58099999], districts: ['Tambaú', 'Manaíra', 'Cabo Branco', 'Centro', 'Bessa'] },
  { name: 'Maceió', uf: 'AL', ddd: '82', cep: [57000000, 57099999], districts: ['Ponta Verde', 'Pajuçara', 'Jatiúca', 'Farol', 'Centro'] },
  { name: 'Aracaju', uf: 'SE', ddd: '79', cep: [49000000, 49098999], districts: ['Jardins', 'Treze de Julho', 'Grageru', 'Centro', 'Atalaia'] },
  { name: 'Cuiabá', uf: 'MT', ddd: '65', cep: [78000000, 78109999], districts: ['Centro Norte', 'Goiabeiras', 'Duque de Caxias', 'Bosque da Saúde'] },
  { name: 'Campo Grande', uf: 'MS', ddd: '67', cep: [79000000, 79124999], districts: ['Centro', 'Jardim dos Estados', 'Chácara Cachoeira', 'Monte Castelo'] },
  { name: 'São Luís', uf: 'MA', ddd: '98', cep: [65000000, 65109999], districts: ['Renascença', 'Calhau', 'Centro', 'Cohama', 'Ponta d’Areia'] },
  { name: 'Teresina', uf: 'PI', ddd: '86', cep: [64000000, 64099999], districts: ['Centro', 'Jóquei', 'Fátima', 'Ilhotas', 'São Cristóvão'] },
  { name: 'Palmas', uf: 'TO', ddd: '63', cep: [77000000, 77249999], districts: ['Plano Diretor Sul', 'Plano Diretor Norte', 'Taquaralto', 'Aureny I'] },
];

/** Street names found in almost every Brazilian city. */
const STREETS = [
  'Rua XV de Novembro',
  'Avenida Brasil',
  'Rua Sete de Setembro',
  'Rua Dom Pedro II',
  'Avenida Getúlio Vargas',
  'Rua Tiradentes',
  'Rua Marechal Deodoro',
  'Rua Rui Barbosa',
  'Rua Duque de Caxias',
  'Rua Barão do Rio Branco',
  'Avenida Independência',
  'Rua São José',
  'Rua Santos Dumont',
  'Rua José Bonifácio',
  'Avenida Santos Dumont',
  'Rua Floriano Peixoto',
];
const COMPLEMENTS = ['Sala 101', 'Sala 204', 'Conjunto 12', 'Loja 2', '3º andar', 'Galpão 4', 'Bloco B'];

/** A kind of business: its trade-name word and the activity its legal name (razão social) states. */
const BUSINESSES: Array<[string, string]> = [
  ['Ferragens', 'Comércio de Ferragens'],
  ['Padaria', 'Panificadora'],
  ['Clínica', 'Serviços Médicos'],
  ['Transportes', 'Transportes Rodoviários'],
  ['Construtora', 'Construções e Empreendimentos'],
  ['Supermercado', 'Comércio de Alimentos'],
  ['Contabilidade', 'Serviços Contábeis'],
  ['Auto Peças', 'Comércio de Autopeças'],
  ['Farmácia', 'Drogaria'],
  ['Tecnologia', 'Soluções em Tecnologia'],
  ['Escola', 'Centro Educacional'],
  ['Laboratório', 'Análises Clínicas'],
  ['Hotel', 'Hotelaria e Turismo'],
  ['Restaurante', 'Restaurante e Lanchonete'],
  ['Distribuidora', 'Distribuidora de Bebidas'],
  ['Imobiliária', 'Negócios Imobiliários'],
  ['Academia', 'Atividades Esportivas'],
  ['Gráfica', 'Gráfica e Editora'],
  ['Metalúrgica', 'Indústria Metalúrgica'],
  ['Ótica', 'Comércio de Artigos Ópticos'],
];
const SURNAMES = [
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
  'Nova Era',
  'União',
  'Popular',
  'Bela Vista',
  'Horizonte',
  'Estrela',
  'Progresso',
  'São Jorge',
  'Santa Luzia',
  'Aliança',
  'Primavera',
  'Ipê',
  'Real',
];
const SUFFIXES = ['Ltda', 'Ltda', 'Ltda', 'S.A.', 'EPP', 'ME', 'SLU'];

export type Gender = 'f' | 'm';
export const FIRST_NAMES: ReadonlyArray<{ name: string; gender: Gender }> = [
  { name: 'Ana', gender: 'f' },
  { name: 'Bruno', gender: 'm' },
  { name: 'Carla', gender: 'f' },
  { name: 'Diego', gender: 'm' },
  { name: 'Eduarda', gender: 'f' },
  { name: 'Felipe', gender: 'm' },
  { name: 'Gabriela', gender: 'f' },
  { name: 'Henrique', gender: 'm' },
  { name: 'Isabela', gender: 'f' },
  { name: 'João', gender: 'm' },
  { name: 'Karina', gender: 'f' },
  { name: 'Lucas', gender: 'm' },
  { name: 'Mariana', gender: 'f' },
  { name: 'Marcelo', gender: 'm' },
  { name: 'Patrícia', gender: 'f' },
  { name: 'Rafael', gender: 'm' },
  { name: 'Sofia', gender: 'f' },
  { name: 'Thiago', gender: 'm' },
  { name: 'Vanessa', gender: 'f' },
  { name: 'Wagner', gender: 'm' },
  { name: 'Juliana', gender: 'f' },
  { name: 'Rodrigo', gender: 'm' },
  { name: 'Fernanda', gender: 'f' },
  { name: 'Gustavo', gender: 'm' },
];
/** Job titles in their feminine and masculine forms. */
export const JOB_TITLES: ReadonlyArray<Record<Gender, string>> = [
  { f: 'Gerente de TI', m: 'Gerente de TI' },
  { f: 'Diretora financeira', m: 'Diretor financeiro' },
  { f: 'Coordenadora administrativa', m: 'Coordenador administrativo' },
  { f: 'Analista de suporte', m: 'Analista de suporte' },
  { f: 'Proprietária', m: 'Proprietário' },
  { f: 'Sócia-administradora', m: 'Sócio-administrador' },
  { f: 'Assistente administrativa', m: 'Assistente administrativo' },
  { f: 'Técnica de informática', m: 'Técnico de informática' },
  { f: 'Compradora', m: 'Comprador' },
  { f: 'Secretária executiva', m: 'Secretário executivo' },
];

export const DEMO_ATTENDANT_GROUPS = ['Suporte N1', 'Suporte N2', 'Infraestrutura', 'Atendimento em campo'];
/** The second desk requires review: its closed tickets stay "pending review" until reviewed. */
export const DEMO_SERVICE_DESKS = ['Central de Serviços', 'Projetos', 'Redes e Segurança'];
export const REVIEW_DESK = 'Projetos';

const TICKET_TITLES = [
  'Impressora não imprime',
  'Sem acesso à internet',
  'Troca de senha do e-mail',
  'Computador lento',
  'Instalação do pacote Office',
  'Backup noturno não concluído',
  'VPN não conecta',
  'Configurar computador de novo colaborador',
  'Sistema de ponto fora do ar',
  'Migração da caixa de e-mail',
];
const DISPLACEMENTS = [
  'Visita técnica',
  'Instalação no local',
  'Atendimento emergencial',
  'Vistoria da rede',
];

// ---------------------------------------------------------------------------------------------------------
// Documents

const ALNUM = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

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

function cpfCheckDigits(base: string): string {
  const dv = (digits: string, start: number) => {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (start - i);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  const d1 = dv(base, 10);
  return `${d1}${dv(base + d1, 11)}`;
}

/**
 * A bijection on [0, 10^digits) that does not look like counting: three rounds of an affine map (x·a + b mod
 * 10^digits, a coprime to 10) followed by reversing the digits. Distinct clients get distinct numbers.
 */
function scramble(n: number, digits: number): string {
  const m = 10n ** BigInt(digits);
  let x = BigInt(n);
  for (const [a, b] of SCRAMBLE_KEYS) {
    x = (x * a + b) % m;
    x = BigInt([...x.toString().padStart(digits, '0')].reverse().join(''));
  }
  return x.toString().padStart(digits, '0');
}
const SCRAMBLE_KEYS: Array<[bigint, bigint]> = [
  [73_856_093n, 19_349_663n],
  [83_492_791n, 4_256_249n],
  [2_654_435_761n, 97_531n],
];

/**
 * The CNPJ root (8 characters) of the n-th client: numeric, or for one in ten alphanumeric (the format issued
 * since July 2026).
 */
function cnpjRoot(n: number): string {
  if (n % 10 === 3) {
    // The 10-digit scramble (below 34^7) written with 7 characters of 0-9A-Z, after a leading letter that
    // keeps alphanumeric roots apart from numeric ones.
    let x = BigInt(scramble(n, 10));
    let rest = '';
    for (let i = 0; i < 7; i++) {
      rest = ALNUM[Number(x % 34n)] + rest;
      x /= 34n;
    }
    return ALNUM[10 + (n % 24)] + rest;
  }
  return scramble(n, 8);
}

const cnpjOf = (root: string, branch: number): string => {
  const base = `${root}${String(branch).padStart(4, '0')}`;
  return base + cnpjCheckDigits(base);
};

/** The 9th digit of a CPF is the fiscal region that issued it. */
const CPF_REGION: Record<string, string> = {
  ...Object.fromEntries(['DF', 'GO', 'MS', 'MT', 'TO'].map((uf) => [uf, '1'])),
  ...Object.fromEntries(['AC', 'AM', 'AP', 'PA', 'RO', 'RR'].map((uf) => [uf, '2'])),
  ...Object.fromEntries(['CE', 'MA', 'PI'].map((uf) => [uf, '3'])),
  ...Object.fromEntries(['AL', 'PB', 'PE', 'RN'].map((uf) => [uf, '4'])),
  ...Object.fromEntries(['BA', 'SE'].map((uf) => [uf, '5'])),
  MG: '6',
  ES: '7',
  RJ: '7',
  SP: '8',
  PR: '9',
  SC: '9',
  RS: '0',
};

function cpfOf(n: number, uf: string): string {
  let base = scramble(n, 8) + CPF_REGION[uf];
  // 111.111.111-11 and the like pass the arithmetic but are never issued: take a number no client gets
  // (seeds stay far below 50,000,000 clients).
  if (/^(\d)\1+$/.test(base)) base = scramble(n + 50_000_000, 8) + CPF_REGION[uf];
  return base + cpfCheckDigits(base);
}

// ---------------------------------------------------------------------------------------------------------
// Clients and what hangs off them

/** A cheap integer hash, so the parts of consecutive clients vary independently. */
const mix = (n: number, salt: number): number => Math.imul(n ^ salt, 2654435761) >>> 7;
const pick = <T>(list: readonly T[], n: number, salt: number): T => list[mix(n, salt) % list.length];

const slug = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

const cents = (value: number): string => `${Math.floor(value / 100)}.${String(value % 100).padStart(2, '0')}`;

export interface DemoContact {
  name: string;
  gender: Gender | null;
  jobTitle: string | null;
  email: string;
  phone: string | null;
  mobile: string;
}

export type DemoContractKind = 'active' | 'due' | 'overdue' | 'expired' | 'cancelled' | 'auto_renew';

export interface DemoContract {
  kind: DemoContractKind;
  name: string;
  modality: 'fixed_monthly' | 'hours_bank' | 'per_ticket' | 'product_saas' | 'free';
  startDate: IsoDate;
  endDate: IsoDate | null;
  durationMonths: number | null;
  /** Reais with two decimals, as numeric(12,2) takes it. */
  monthlyValue: string;
  includedHours: string | null;
  includedTickets: number | null;
  readjustmentIndex: 'IPCA' | 'IGP-M' | 'INPC' | 'fixed';
  readjustmentPercent: string | null;
  nextReadjustmentDate: IsoDate;
  autoRenew: boolean;
  cancelled: { at: IsoDate; reason: string } | null;
  /** The readjustment applied a year before the next one, when the contract is that old. */
  revision: { effectiveFrom: IsoDate; oldValue: string; newValue: string; percent: string } | null;
}

export interface DemoTicket {
  title: string;
  status: 'open' | 'in_progress' | 'waiting' | 'closed' | 'cancelled';
  /** Closed tickets of the review desk that nobody has reviewed yet. */
  pendingReview: boolean;
  daysAgo: number;
}

export interface DemoClient {
  tradeName: string;
  legalName: string | null;
  personType: 'PJ' | 'PF';
  document: string;
  stateRegistration: string | null;
  email: string;
  financialEmail: string | null;
  phone: string;
  website: string | null;
  postalCode: string;
  street: string;
  number: string;
  complement: string | null;
  district: string;
  city: string;
  state: string;
  status: 'active' | 'inactive';
  /** Linked to an attendant group and a service desk (5 % are not, and the list flags them). */
  linked: boolean;
  /** Index into DEMO_ATTENDANT_GROUPS and DEMO_SERVICE_DESKS. */
  group: number;
  desk: number;
  contact: DemoContact | null;
  contracts: DemoContract[];
  tickets: DemoTicket[];
  displacement: { name: string; value: string; distanceKm: string; ofContract: boolean } | null;
  calls: Array<{ viaPbx: boolean; daysAgo: number }>;
}

function personName(n: number, salt: number): { first: string; gender: Gender; surname: string } {
  const first = pick(FIRST_NAMES, n, salt);
  return { first: first.name, gender: first.gender, surname: pick(SURNAMES, n, salt + 1) };
}

function demoContract(n: number, today: IsoDate, active: boolean): DemoContract {
  // An inactive client keeps only contracts that no longer block inactivation.
  const roll = mix(n, 101) % 100;
  const kind: DemoContractKind = !active
    ? roll < 50
      ? 'expired'
      : 'cancelled'
    : roll < 50
      ? 'active'
      : roll < 60
        ? 'due'
        : roll < 72
          ? 'overdue'
          : roll < 82
            ? 'expired'
            : roll < 90
              ? 'cancelled'
              : 'auto_renew';
  const modality = pick(
    ['fixed_monthly', 'fixed_monthly', 'hours_bank', 'per_ticket', 'product_saas', 'free'] as const,
    n,
    103,
  );
  const name = {
    fixed_monthly: 'Suporte mensal',
    hours_bank: 'Banco de horas',
    per_ticket: 'Atendimento por chamado',
    product_saas: 'Backup em nuvem',
    free: 'Manutenção de rede',
  }[modality];
  const monthly = (3 + (mix(n, 107) % 58)) * 10_000 + (mix(n, 109) % 4) * 2_500; // R$ 300 to R$ 6.075
  const index = pick(['IPCA', 'IPCA', 'IGP-M', 'INPC', 'fixed'] as const, n, 113);
  const thisMonth = today.slice(0, 8);
  let startDate: IsoDate;
  let nextReadjustmentDate: IsoDate;
  if (kind === 'due') {
    // readjustment date in the current month (already passed or still to come)
    nextReadjustmentDate =
      `${thisMonth}${String(1 + (mix(n, 127) % daysInMonth(Number(today.slice(0, 4)), Number(today.slice(5, 7))))).padStart(2, '0')}` as IsoDate;
    startDate = addMonths(nextReadjustmentDate, -12 * (1 + (mix(n, 131) % 3)));
  } else if (kind === 'overdue') {
    nextReadjustmentDate = addDays(addMonths(today, -(1 + (mix(n, 137) % 3))), -(mix(n, 139) % 20));
    startDate = addMonths(nextReadjustmentDate, -12 * (1 + (mix(n, 131) % 2)));
  } else {
    startDate = addDays(addMonths(today, -(2 + (mix(n, 149) % 40))), -(mix(n, 151) % 28));
    nextReadjustmentDate = addMonths(startDate, 12);
    while (nextReadjustmentDate <= today || nextReadjustmentDate.slice(0, 7) === today.slice(0, 7))
      nextReadjustmentDate = addMonths(nextReadjustmentDate, 12);
  }
  let durationMonths: number | null = null;
  let endDate: IsoDate | null = null;
  if (kind === 'expired') {
    durationMonths = 12;
    startDate = addDays(addMonths(today, -(13 + (mix(n, 157) % 24))), -(mix(n, 151) % 28));
    endDate = addDays(addMonths(startDate, 12), -1);
    nextReadjustmentDate = addMonths(startDate, 12);
  } else if (kind === 'auto_renew' || mix(n, 163) % 3 === 0) {
    durationMonths = 36;
    endDate = addDays(addMonths(startDate, 36), -1);
    while (endDate < today) {
      startDate = addMonths(startDate, 12);
      endDate = addMonths(endDate, 12);
    }
  }
  const percent = index === 'fixed' ? '5.0000' : null;
  let revision: DemoContract['revision'] = null;
  const lastReadjustment = addMonths(nextReadjustmentDate, -12);
  if (lastReadjustment > startDate && lastReadjustment <= today) {
    const applied = index === 'fixed' ? 500 : 380 + (mix(n, 167) % 300); // hundredths of a percent
    const oldValue = Math.round((monthly * 10_000) / (10_000 + applied));
    revision = {
      effectiveFrom: lastReadjustment,
      oldValue: cents(oldValue),
      newValue: cents(monthly),
      percent: (applied / 100).toFixed(4),
    };
  }
  return {
    kind,
    name,
    modality,
    startDate,
    endDate,
    durationMonths,
    monthlyValue: cents(monthly),
    includedHours: modality === 'hours_bank' ? pick(['10.00', '20.00', '40.00'], n, 173) : null,
    includedTickets: modality === 'per_ticket' ? pick([10, 20, 30], n, 179) : null,
    readjustmentIndex: index,
    readjustmentPercent: percent,
    nextReadjustmentDate,
    autoRenew: kind === 'auto_renew',
    cancelled:
      kind === 'cancelled'
        ? {
            at: addDays(today, -(5 + (mix(n, 181) % 200))),
            reason: pick(
              ['Cliente encerrou as atividades', 'Troca de fornecedor', 'Redução de custos'],
              n,
              191,
            ),
          }
        : null,
    revision,
  };
}

/** The n-th demo client (n ≥ 1) as of `today` (São Paulo's calendar date). */
export function demoClient(n: number, today: IsoDate): DemoClient {
  const city = pick(DEMO_CITIES, n, 53);
  const status = n % 10 === 7 ? 'inactive' : 'active';
  const active = status === 'active';
  const isPerson = n % 25 === 0;
  const business = pick(BUSINESSES, n, 11);
  const surname = pick(SURNAMES, n, 23);
  const person = personName(n, 71);
  const tradeName = isPerson
    ? `${person.first} ${person.surname} ${surname === person.surname ? pick(SURNAMES, n, 89) : surname}`
    : `${business[0]} ${surname} ${pick(QUALIFIERS, n, 37)}`;
  const domain = `${slug(tradeName)}${n}.com.br`;
  const cepValue = city.cep[0] + (mix(n, 59) % (city.cep[1] - city.cep[0] + 1));
  const linked = n % 20 !== 0;
  const contact: DemoContact | null = isPerson
    ? {
        name: tradeName,
        gender: person.gender,
        jobTitle: null,
        email: `${slug(person.first)}.${slug(person.surname)}@${domain}`,
        phone: null,
        mobile: `+55${city.ddd}9${String(80_000_000 + (mix(n, 61) % 19_999_999)).padStart(8, '0')}`,
      }
    : n % 10 < 7
      ? (() => {
          const who = personName(n, 3);
          return {
            name: `${who.first} ${who.surname}`,
            gender: who.gender,
            jobTitle: pick(JOB_TITLES, n, 5)[who.gender],
            email: `${slug(who.first)}.${slug(who.surname)}@${domain}`,
            phone:
              mix(n, 7) % 3 === 0
                ? `+55${city.ddd}3${String(mix(n, 9) % 10_000_000).padStart(7, '0')}`
                : null,
            mobile: `+55${city.ddd}9${String(80_000_000 + (mix(n, 61) % 19_999_999)).padStart(8, '0')}`,
          };
        })()
      : null;

  const contracts: DemoContract[] = [];
  const tickets: DemoTicket[] = [];
  if (linked && mix(n, 97) % 100 < 45) contracts.push(demoContract(n, today, active));
  if (linked) {
    const reviewDesk = DEMO_SERVICE_DESKS[n % DEMO_SERVICE_DESKS.length] === REVIEW_DESK;
    const roll = mix(n, 193) % 100;
    const title = (salt: number) => pick(TICKET_TITLES, n, salt);
    if (active && roll < 25) {
      tickets.push({
        title: title(197),
        status: pick(['open', 'in_progress', 'waiting'] as const, n, 199),
        pendingReview: false,
        daysAgo: 1 + (mix(n, 211) % 10),
      });
    }
    if (roll % 3 === 0) {
      // closed a while ago; on the review desk, some still wait for review (which blocks inactivation)
      const pendingReview = active && reviewDesk && roll % 2 === 0;
      tickets.push({ title: title(223), status: 'closed', pendingReview, daysAgo: 10 + (mix(n, 227) % 60) });
    }
    if (roll % 17 === 0)
      tickets.push({
        title: title(229),
        status: 'cancelled',
        pendingReview: false,
        daysAgo: 20 + (mix(n, 233) % 60),
      });
  }
  return {
    tradeName,
    legalName: isPerson ? null : `${business[1]} ${surname} ${pick(SUFFIXES, n, 41)}`,
    personType: isPerson ? 'PF' : 'PJ',
    document: isPerson ? cpfOf(n, city.uf) : cnpjOf(cnpjRoot(n), 1),
    stateRegistration: !isPerson && mix(n, 43) % 5 === 0 ? 'ISENTO' : null,
    email: isPerson ? `${slug(person.first)}.${slug(person.surname)}@${domain}` : `contato@${domain}`,
    financialEmail: !isPerson && mix(n, 47) % 2 === 0 ? `financeiro@${domain}` : null,
    phone: `+55${city.ddd}3${String(mix(n, 67) % 10_000_000).padStart(7, '0')}`,
    website: !isPerson && mix(n, 73) % 5 < 2 ? `https://www.${domain}` : null,
    postalCode: String(cepValue).padStart(8, '0'),
    street: pick(STREETS, n, 79),
    number: String(1 + (mix(n, 83) % 2_999)),
    complement: mix(n, 87) % 3 === 0 ? pick(COMPLEMENTS, n, 91) : null,
    district: pick(city.districts, n, 93),
    city: city.name,
    state: city.uf,
    status,
    linked,
    group: n % DEMO_ATTENDANT_GROUPS.length,
    desk: n % DEMO_SERVICE_DESKS.length,
    contact,
    contracts,
    tickets,
    displacement:
      linked && mix(n, 239) % 100 < 20
        ? {
            name: pick(DISPLACEMENTS, n, 241),
            value: cents((8 + (mix(n, 251) % 35)) * 1_000),
            distanceKm: `${5 + (mix(n, 257) % 115)}.${mix(n, 263) % 10}0`,
            ofContract: contracts.length > 0 && mix(n, 269) % 2 === 0,
          }
        : null,
    calls:
      contact && mix(n, 271) % 100 < 35
        ? Array.from({ length: 1 + (mix(n, 277) % 2) }, (_, i) => ({
            viaPbx: mix(n + i, 281) % 10 < 3,
            daysAgo: mix(n + i, 283) % 30,
          }))
        : [],
  };
}

/**
 * The n-th client made a branch (filial) of `head`: the head office's CNPJ root with the next branch number,
 * its name and legal name, its e-mail domain, and billed to it (quartered billing). Null when either is not
 * an active company.
 */
export function demoBranch(head: DemoClient, n: number, today: IsoDate): DemoClient | null {
  const own = demoClient(n, today);
  if (head.personType !== 'PJ' || head.status !== 'active' || own.personType !== 'PJ') return null;
  const ownDomain = own.email.slice(own.email.indexOf('@') + 1);
  const headDomain = head.email.slice(head.email.indexOf('@') + 1);
  const onHeadDomain = (address: string) => address.replace(ownDomain, headDomain);
  return {
    ...own,
    tradeName: `${head.tradeName} – Filial ${own.city}`.slice(0, 120),
    legalName: head.legalName,
    document: cnpjOf(head.document.slice(0, 8), 2),
    email: `filial.${slug(own.city)}@${headDomain}`,
    financialEmail: head.financialEmail,
    website: head.website,
    contact: own.contact && { ...own.contact, email: onHeadDomain(own.contact.email) },
  };
}
