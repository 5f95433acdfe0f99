import { IsOptional, validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { en } from '../../common/i18n/en';
import { ptBR } from '../../common/i18n/pt-BR';
import { translateMessage } from '../../common/forms';
import {
  IsBrazilianPhone,
  IsCep,
  IsCpfOrCnpj,
  IsHttpUrl,
  IsMunicipalRegistration,
  IsStateRegistration,
  IsUf,
} from './decorators';

class ClientFormDto {
  @IsOptional() personType?: string;
  @IsOptional() @IsCpfOrCnpj() document?: string;
  @IsOptional() @IsUf() state?: string;
  @IsOptional() @IsStateRegistration() stateRegistration?: string;
  @IsOptional() @IsMunicipalRegistration() municipalRegistration?: string;
  @IsOptional() @IsCep() postalCode?: string;
  @IsOptional() @IsBrazilianPhone() phone?: string;
  @IsOptional() @IsHttpUrl() website?: string;
}

class OverriddenMessageDto {
  @IsCep({ message: 'validation.invalid' }) postalCode: string;
}

async function errorsOf(body: Record<string, unknown>): Promise<Record<string, string>> {
  const errors = await validate(plainToInstance(ClientFormDto, body));
  return Object.fromEntries(errors.map((e) => [e.property, Object.values(e.constraints ?? {})[0]]));
}

describe('client form decorators', () => {
  it('accept valid values, masked as typed', async () => {
    expect(
      await errorsOf({
        personType: 'PJ',
        document: '12.ABC.345/01DE-35',
        state: 'SP',
        stateRegistration: '110.042.490.114',
        municipalRegistration: '1.234.567-8',
        postalCode: '01310-100',
        phone: '(11) 98765-4321',
        website: 'https://example.com.br',
      }),
    ).toEqual({});
  });

  it('accept an empty form: every field is optional', async () => {
    expect(await errorsOf({})).toEqual({});
  });

  it('report one i18n key per invalid field', async () => {
    expect(
      await errorsOf({
        document: '12.ABC.345/01DE-36',
        state: 'XX',
        stateRegistration: 'abc',
        municipalRegistration: 'x'.repeat(31),
        postalCode: '1234',
        phone: '12345',
        website: 'javascript:alert(1)',
      }),
    ).toEqual({
      document: 'validation.document',
      state: 'validation.uf',
      stateRegistration: 'validation.stateRegistration',
      municipalRegistration: 'validation.municipalRegistration|30',
      postalCode: 'validation.cep',
      phone: 'validation.phone',
      website: 'validation.website',
    });
  });

  it('IsCpfOrCnpj expects a CPF for PF and a CNPJ for PJ, and says which', async () => {
    expect(await errorsOf({ personType: 'PF', document: '295.379.955-93' })).toEqual({});
    expect(await errorsOf({ personType: 'PF', document: '12.ABC.345/01DE-35' })).toEqual({
      document: 'validation.cpf',
    });
    expect(await errorsOf({ personType: 'PJ', document: '295.379.955-93' })).toEqual({
      document: 'validation.cnpj',
    });
    expect(await errorsOf({ personType: 'other', document: '295.379.955-93' })).toEqual({});
  });

  it('IsStateRegistration follows the UF in the sibling state field, and names it in the message', async () => {
    expect(await errorsOf({ state: 'RJ', stateRegistration: '99.999.99-3' })).toEqual({});
    expect(await errorsOf({ state: 'SP', stateRegistration: '99.999.99-3' })).toEqual({
      stateRegistration: 'validation.stateRegistrationForUf|SP',
    });
    expect(await errorsOf({ state: 'SP', stateRegistration: 'isento' })).toEqual({});
  });

  it('refuse values that are not strings', async () => {
    const errors = await errorsOf({ document: 29537995593, postalCode: 1310100, phone: ['11987654321'] });
    expect(Object.keys(errors).sort()).toEqual(['document', 'phone', 'postalCode']);
  });

  it('let a DTO override the message', async () => {
    const errors = await validate(plainToInstance(OverriddenMessageDto, { postalCode: 'x' }));
    expect(errors[0].constraints).toEqual({ isCep: 'validation.invalid' });
  });

  it('use keys that both catalogs translate, in Portuguese saying what is expected', () => {
    const messages = [
      'validation.document',
      'validation.cpf',
      'validation.cnpj',
      'validation.stateRegistration',
      'validation.stateRegistrationForUf|SP',
      'validation.municipalRegistration|30',
      'validation.cep',
      'validation.uf',
      'validation.phone',
      'validation.website',
    ];
    for (const message of messages) {
      const key = message.split('|')[0];
      expect(ptBR[key]).toBeDefined();
      expect(en[key]).toBeDefined();
    }
    expect(translateMessage('pt-BR', 'validation.document')).toBe(
      'CNPJ ou CPF inválido: confira os dígitos verificadores.',
    );
    expect(translateMessage('pt-BR', 'validation.stateRegistrationForUf|SP')).toContain('para SP');
    expect(translateMessage('en', 'validation.municipalRegistration|30')).toContain('30');
  });
});
