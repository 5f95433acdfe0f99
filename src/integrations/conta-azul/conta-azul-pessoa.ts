import type { Client } from '../../clients/client.entity';
import { displayCep, displayDocument } from '../../clients/client-view';
import { nationalDigits } from '../asaas/asaas-customer';
import type { Pessoa } from './conta-azul-api';

/** Our code for a client without CPF/CNPJ, so a retried sync finds the pessoa it created (`codigos_pessoa`). */
export const pessoaCode = (client: Client) => `CLIENTELA-${client.code}`;

/**
 * Our client as a Conta Azul pessoa (`POST /v1/pessoas`): legal name as `nome` (≤ 200), trade name as
 * `nome_fantasia`, `tipo_pessoa` with accents, CPF or CNPJ in their own punctuated fields, both e-mails,
 * the address and, for companies, the state registration with its indicator. `perfis` and `codigo` are
 * added by the caller: on create (profile Cliente), or merged into an existing pessoa's profiles.
 */
export function toPessoa(client: Client): Record<string, unknown> {
  const company = client.personType === 'PJ';
  const body: Record<string, unknown> = {
    nome: (client.legalName || client.tradeName).slice(0, 200),
    tipo_pessoa: company ? 'Jurídica' : 'Física',
    ativo: true,
  };
  if (company) body.nome_fantasia = client.tradeName.slice(0, 200);
  if (client.document) body[company ? 'cnpj' : 'cpf'] = displayDocument(client.document);
  const emails = [client.financialEmail, client.email].filter(
    (e, i, all): e is string => !!e && all.indexOf(e) === i,
  );
  if (emails.length) body.email = emails.join(', ');
  const phone = nationalDigits(client.phone);
  if (phone)
    body[phone.length === 11 && phone[2] === '9' ? 'telefone_celular' : 'telefone_comercial'] = phone;
  if (client.postalCode || client.street || client.city) {
    body.enderecos = [
      stripEmpty({
        cep: client.postalCode ? displayCep(client.postalCode) : undefined,
        logradouro: client.street,
        numero: client.number,
        complemento: client.complement,
        bairro: client.district,
        cidade: client.city,
        estado: client.state,
        pais: 'Brasil',
      }),
    ];
  }
  if (company && (client.stateRegistration || client.municipalRegistration)) {
    const ie = client.stateRegistration;
    body.inscricoes = [
      stripEmpty({
        indicador_inscricao_estadual: !ie ? 'NAO CONTRIBUINTE' : ie === 'ISENTO' ? 'ISENTO' : 'CONTRIBUINTE',
        inscricao_estadual: ie && ie !== 'ISENTO' ? ie : undefined,
        inscricao_municipal: client.municipalRegistration,
      }),
    ];
  }
  return body;
}

/** Whether a listed pessoa already has the profile Cliente (`perfis` as strings or `{tipo_perfil}`). */
export function hasClientProfile(pessoa: Pessoa): boolean {
  return (pessoa.perfis ?? []).some((p) => (typeof p === 'string' ? p : p?.tipo_perfil) === 'Cliente');
}

/** The profiles to send so an existing pessoa (e.g. a supplier) becomes a customer too, keeping the others. */
export function withClientProfile(pessoa: Pessoa): Array<{ tipo_perfil: string }> {
  const current = (pessoa.perfis ?? [])
    .map((p) => (typeof p === 'string' ? p : p?.tipo_perfil))
    .filter((p): p is string => !!p);
  return [...new Set([...current, 'Cliente'])].map((tipo_perfil) => ({ tipo_perfil }));
}

/** Digits and letters only (documents are compared unmasked, upper-case). */
export const bareDocument = (value: string | null | undefined) =>
  (value ?? '').replace(/[^0-9A-Za-z]/g, '').toUpperCase();

function stripEmpty(values: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => !!e[1]));
}
