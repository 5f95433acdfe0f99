import type { Client } from '../../clients/client.entity';
import { bareDocument, hasClientProfile, toPessoa, withClientProfile } from './conta-azul-pessoa';

const client = (values: Partial<Client>): Client =>
  ({
    id: 'c1',
    code: '42',
    tradeName: 'Oficina do Zé',
    legalName: null,
    personType: 'PJ',
    document: null,
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

describe('toPessoa', () => {
  it('describes a company: Jurídica, punctuated CNPJ, trade name, state registration indicator', () => {
    expect(
      toPessoa(
        client({
          legalName: 'José Mecânica ME',
          document: '11222333000181',
          stateRegistration: '110042490114',
          municipalRegistration: '998',
        }),
      ),
    ).toEqual({
      nome: 'José Mecânica ME',
      nome_fantasia: 'Oficina do Zé',
      tipo_pessoa: 'Jurídica',
      cnpj: '11.222.333/0001-81',
      ativo: true,
      inscricoes: [
        {
          indicador_inscricao_estadual: 'CONTRIBUINTE',
          inscricao_estadual: '110042490114',
          inscricao_municipal: '998',
        },
      ],
    });
  });

  it('describes a person: Física, punctuated CPF, no trade name or registrations', () => {
    const pessoa = toPessoa(
      client({
        personType: 'PF',
        tradeName: 'Maria Souza',
        document: '52998224725',
        stateRegistration: 'ISENTO',
      }),
    );
    expect(pessoa).toEqual({
      nome: 'Maria Souza',
      tipo_pessoa: 'Física',
      cpf: '529.982.247-25',
      ativo: true,
    });
  });

  it('joins both e-mails and sends the address and a mobile number', () => {
    expect(
      toPessoa(
        client({
          email: 'ti@x.com',
          financialEmail: 'fin@x.com',
          phone: '+5511987654321',
          postalCode: '01310100',
          city: 'São Paulo',
          state: 'SP',
        }),
      ),
    ).toMatchObject({
      email: 'fin@x.com, ti@x.com',
      telefone_celular: '11987654321',
      enderecos: [{ cep: '01310-100', cidade: 'São Paulo', estado: 'SP', pais: 'Brasil' }],
    });
  });
});

describe('profiles', () => {
  it('adds Cliente to the profiles an existing pessoa has, once', () => {
    const supplier = { id: 'p', perfis: [{ tipo_perfil: 'Fornecedor' }] };
    expect(hasClientProfile(supplier)).toBe(false);
    expect(withClientProfile(supplier)).toEqual([{ tipo_perfil: 'Fornecedor' }, { tipo_perfil: 'Cliente' }]);
    expect(hasClientProfile({ id: 'p', perfis: ['Cliente'] })).toBe(true);
    expect(withClientProfile({ id: 'p', perfis: ['Cliente'] })).toEqual([{ tipo_perfil: 'Cliente' }]);
  });

  it('compares documents unmasked', () => {
    expect(bareDocument('11.222.333/0001-81')).toBe('11222333000181');
    expect(bareDocument('12.abc.345/01de-35')).toBe('12ABC34501DE35');
  });
});
