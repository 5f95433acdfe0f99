/** The 26 states and the Distrito Federal, in alphabetical order of code, as the form lists them. */
export const UFS = [
  { code: 'AC', name: 'Acre' },
  { code: 'AL', name: 'Alagoas' },
  { code: 'AM', name: 'Amazonas' },
  { code: 'AP', name: 'Amapá' },
  { code: 'BA', name: 'Bahia' },
  { code: 'CE', name: 'Ceará' },
  { code: 'DF', name: 'Distrito Federal' },
  { code: 'ES', name: 'Espírito Santo' },
  { code: 'GO', name: 'Goiás' },
  { code: 'MA', name: 'Maranhão' },
  { code: 'MG', name: 'Minas Gerais' },
  { code: 'MS', name: 'Mato Grosso do Sul' },
  { code: 'MT', name: 'Mato Grosso' },
  { code: 'PA', name: 'Pará' },
  { code: 'PB', name: 'Paraíba' },
  { code: 'PE', name: 'Pernambuco' },
  { code: 'PI', name: 'Piauí' },
  { code: 'PR', name: 'Paraná' },
  { code: 'RJ', name: 'Rio de Janeiro' },
  { code: 'RN', name: 'Rio Grande do Norte' },
  { code: 'RO', name: 'Rondônia' },
  { code: 'RR', name: 'Roraima' },
  { code: 'RS', name: 'Rio Grande do Sul' },
  { code: 'SC', name: 'Santa Catarina' },
  { code: 'SE', name: 'Sergipe' },
  { code: 'SP', name: 'São Paulo' },
  { code: 'TO', name: 'Tocantins' },
] as const;

export type Uf = (typeof UFS)[number]['code'];
export const UF_CODES: readonly Uf[] = UFS.map((uf) => uf.code);

const UF_SET: ReadonlySet<string> = new Set(UF_CODES);
const CEP_SEPARATORS = /[\s.-]/g;
const CEP = /^\d{8}$/;

/** Exactly one of the 27 codes, upper case (`'SP'`); use {@link normalizeUf} first to accept `'sp'`. */
export function isValidUf(value: unknown): value is Uf {
  return typeof value === 'string' && UF_SET.has(value);
}

/** `' sp '` → `'SP'`; null when the value is not a UF. */
export function normalizeUf(value: string): Uf | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toUpperCase();
  return isValidUf(code) ? code : null;
}

/** The 8 digits of a CEP typed as `01310-100`, `01.310-100` or `01310100`; null for anything else. */
export function normalizeCep(input: string): string | null {
  if (typeof input !== 'string' || input.length > 20) return null;
  const digits = input.replace(CEP_SEPARATORS, '');
  return CEP.test(digits) ? digits : null;
}

/**
 * 8 digits, masked or not. CEPs start at 01000-000 (São Paulo): no UF's range begins with `00`, so
 * `00000-000`, a common placeholder, is refused.
 */
export function isValidCep(input: string): boolean {
  const cep = normalizeCep(input);
  return cep !== null && !cep.startsWith('00');
}

/** `01310100` → `01310-100`; input that is not a CEP comes back unchanged. */
export function formatCep(input: string): string {
  const cep = normalizeCep(input);
  return cep === null ? input : `${cep.slice(0, 5)}-${cep.slice(5)}`;
}
