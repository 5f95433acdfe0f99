import type { Client } from '../../clients/client.entity';
import { nationalDigits, toAsaasCustomer } from './asaas-customer';

const client = (values: Partial<Client>): Client =>
  ({
    id: '5c7d3a4e-1111-4222-8333-444455556666',
    tradeName: 'Padaria Pão Quente',
    legalName: null,
    personType: 'PJ',
    document: '11222333000181',
    stateRegistration: null,
    municipalRegistration: null,
    email: null,
    financialEmail: null,
    phone: null,
    postalCode: null,
    street: null,
    number: null,
    complement: null,
    district: null,
    city: null,
    state: null,
    ...values,
  }) as Client;

describe('toAsaasCustomer', () => {
  it('needs a CPF/CNPJ (Asaas requires cpfCnpj)', () => {
    expect(toAsaasCustomer(client({ document: null }))).toBeNull();
  });

  it('sends only what the client has, with our id as externalReference', () => {
    expect(toAsaasCustomer(client({}))).toEqual({
      name: 'Padaria Pão Quente',
      cpfCnpj: '11222333000181',
      externalReference: '5c7d3a4e-1111-4222-8333-444455556666',
    });
  });

  it('bills the legal name, at the financial e-mail, with a landline as phone', () => {
    expect(
      toAsaasCustomer(
        client({
          legalName: 'Pão Quente LTDA',
          email: 'a@x.com',
          financialEmail: 'fin@x.com',
          phone: '+551133334444',
          stateRegistration: '110042490114',
        }),
      ),
    ).toMatchObject({
      name: 'Pão Quente LTDA',
      company: 'Padaria Pão Quente',
      email: 'fin@x.com',
      additionalEmails: 'a@x.com',
      phone: '1133334444',
      stateInscription: '110042490114',
    });
  });

  it('sends a mobile number as mobilePhone and the address fields under Asaas names', () => {
    const input = toAsaasCustomer(
      client({
        phone: '+5511987654321',
        postalCode: '01310100',
        street: 'Av. Paulista',
        number: '150',
        complement: 'Sala 2',
        district: 'Bela Vista',
      }),
    );
    expect(input).toMatchObject({
      mobilePhone: '11987654321',
      postalCode: '01310100',
      address: 'Av. Paulista',
      addressNumber: '150',
      complement: 'Sala 2',
      province: 'Bela Vista',
    });
    expect(input).not.toHaveProperty('phone');
  });
});

describe('nationalDigits', () => {
  it('keeps Brazilian numbers only', () => {
    expect(nationalDigits('+5511987654321')).toBe('11987654321');
    expect(nationalDigits('+14155550100')).toBeNull();
    expect(nationalDigits(null)).toBeNull();
  });
});
