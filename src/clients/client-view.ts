import { formatCep } from './validation/address';
import { formatDocument } from './validation/document';
import { formatPhone } from './validation/phone';

/** Display forms of stored values: masked CNPJ/CPF, national phone, CEP with hyphen. */
export const displayDocument = (document: string | null | undefined): string =>
  document ? formatDocument(document) : '';
export const displayPhone = (e164: string | null | undefined): string => (e164 ? formatPhone(e164) : '');
export const displayCep = (cep: string | null | undefined): string => (cep ? formatCep(cep) : '');

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
