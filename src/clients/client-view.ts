import type { Client } from './client.entity';
import { formatCep } from './validation/address';
import { formatDocument } from './validation/document';
import { formatPhone } from './validation/phone';

/** Display forms of stored values: masked CNPJ/CPF, national phone, CEP with hyphen. */
export const displayDocument = (document: string | null | undefined): string =>
  document ? formatDocument(document) : '';
export const displayPhone = (e164: string | null | undefined): string => (e164 ? formatPhone(e164) : '');
export const displayCep = (cep: string | null | undefined): string => (cep ? formatCep(cep) : '');

/** A client in a picker: `Padaria Pão Quente (#123 · 11.222.333/0001-81)`. */
export const clientOptionLabel = (client: Pick<Client, 'tradeName' | 'code' | 'document'>): string =>
  `${client.tradeName} (#${client.code}${client.document ? ` · ${displayDocument(client.document)}` : ''})`;

/** The client as the form shows it: stored values in their masked, human form. */
export function toFormValues<
  T extends { document?: string | null; phone?: string | null; postalCode?: string | null },
>(client: T) {
  return {
    ...client,
    document: displayDocument(client.document),
    phone: displayPhone(client.phone),
    postalCode: displayCep(client.postalCode),
  };
}

/** The fields a version conflict puts side by side: what is stored now and what the operator typed. */
const CONFLICT_FIELDS = [
  'tradeName',
  'legalName',
  'document',
  'email',
  'phone',
  'city',
  'state',
  'notes',
] as const;

/** The 409 page of an edit that lost a race: the stored version beside what was typed, nothing overwritten. */
export function conflictView(
  current: Client,
  submitted: Partial<Record<(typeof CONFLICT_FIELDS)[number], string | null>> & object,
) {
  const stored = toFormValues(current);
  return {
    client: current,
    fields: CONFLICT_FIELDS.map((field) => {
      const before = stored[field] ?? '';
      const typed = submitted[field] ?? '';
      return { field, stored: before, submitted: typed, differs: String(before) !== String(typed) };
    }),
    form: { ...submitted, version: current.version },
  };
}
