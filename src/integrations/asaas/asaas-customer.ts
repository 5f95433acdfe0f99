import type { Client } from '../../clients/client.entity';
import type { AsaasCustomerInput } from './asaas-client';

/**
 * Our client as an Asaas customer (`CustomerSaveRequestDTO`). The boleto goes to the legal name when there
 * is one; billing mail to the financial e-mail (the other one as an additional e-mail); phones as national
 * digits, a mobile number (9 after the area code) as `mobilePhone`; `externalReference` is our client id,
 * which is how the next sync finds the customer again. Null when the client has no CPF/CNPJ, which Asaas
 * requires.
 */
export function toAsaasCustomer(client: Client): AsaasCustomerInput | null {
  if (!client.document) return null;
  const input: AsaasCustomerInput = {
    name: (client.legalName || client.tradeName).slice(0, 255),
    cpfCnpj: client.document,
    externalReference: client.id,
  };
  const mainEmail = client.financialEmail ?? client.email;
  if (mainEmail) input.email = mainEmail;
  if (client.financialEmail && client.email && client.email !== client.financialEmail)
    input.additionalEmails = client.email;
  const phone = nationalDigits(client.phone);
  if (phone) {
    if (phone.length === 11 && phone[2] === '9') input.mobilePhone = phone;
    else input.phone = phone;
  }
  if (client.personType === 'PJ' && client.legalName && client.legalName !== client.tradeName)
    input.company = client.tradeName;
  if (client.postalCode) input.postalCode = client.postalCode;
  if (client.street) input.address = client.street;
  if (client.number) input.addressNumber = client.number;
  if (client.complement) input.complement = client.complement.slice(0, 255);
  if (client.district) input.province = client.district;
  if (client.stateRegistration) input.stateInscription = client.stateRegistration;
  if (client.municipalRegistration) input.municipalInscription = client.municipalRegistration;
  return input;
}

/** `+5511987654321` → `11987654321`; other countries are not sent. */
export function nationalDigits(e164: string | null): string | null {
  if (!e164) return null;
  const match = /^\+55(\d{10,11})$/.exec(e164);
  return match ? match[1] : null;
}
