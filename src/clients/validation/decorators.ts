import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isValidCep, isValidUf, normalizeUf } from './address';
import { isValidDocument, PersonType } from './document';
import { isValidBrazilianPhone } from './phone';
import {
  isValidMunicipalRegistration,
  isValidStateRegistration,
  MUNICIPAL_REGISTRATION_MAX,
} from './state-registration';
import { isValidWebsite } from './website';

/*
 * class-validator decorators for the client form. Their messages are i18n keys (`validation.*`, with
 * positional arguments after `|`), translated by `translateMessage` in src/common/forms.ts. Like any
 * class-validator decorator they run on undefined values too: pair them with `@IsOptional()`.
 * Each validates the value as submitted (masked or not); storing the normalized form is the caller's job
 * (normalizeDocument, normalizeStateRegistration, normalizeCep, normalizeBrazilianPhone).
 */

/** The sibling property `IsCpfOrCnpj` reads: `PF` expects a CPF, `PJ` a CNPJ, absent either. */
export const PERSON_TYPE_PROPERTY = 'personType';
/** The sibling property `IsStateRegistration` reads: the UF whose rule the IE must follow. */
export const UF_PROPERTY = 'state';

/** CPF or CNPJ (numeric or alphanumeric) with valid check digits, of the kind the sibling `personType` asks for. */
export function IsCpfOrCnpj(options?: ValidationOptions): PropertyDecorator {
  return custom('isCpfOrCnpj', options, {
    validate: (value, args) => typeof value === 'string' && isValidDocument(value, personTypeOf(args)),
    defaultMessage: (args) => {
      const personType = personTypeOf(args);
      if (personType === 'PF') return 'validation.cpf';
      if (personType === 'PJ') return 'validation.cnpj';
      return 'validation.document';
    },
  });
}

/** `ISENTO`, or an inscrição estadual valid for the UF in the sibling `state` (shape only when there is none). */
export function IsStateRegistration(options?: ValidationOptions): PropertyDecorator {
  return custom('isStateRegistration', options, {
    validate: (value, args) => typeof value === 'string' && isValidStateRegistration(value, ufOf(args)),
    defaultMessage: (args) => {
      const uf = ufOf(args);
      return uf ? `validation.stateRegistrationForUf|${uf}` : 'validation.stateRegistration';
    },
  });
}

/** Free-text inscrição municipal: up to 30 letters, digits, spaces and punctuation. */
export function IsMunicipalRegistration(options?: ValidationOptions): PropertyDecorator {
  return custom('isMunicipalRegistration', options, {
    validate: (value) => typeof value === 'string' && isValidMunicipalRegistration(value),
    defaultMessage: () => `validation.municipalRegistration|${MUNICIPAL_REGISTRATION_MAX}`,
  });
}

export function IsCep(options?: ValidationOptions): PropertyDecorator {
  return custom('isCep', options, {
    validate: (value) => typeof value === 'string' && isValidCep(value),
    defaultMessage: () => 'validation.cep',
  });
}

/** One of the 27 UF codes, upper case. */
export function IsUf(options?: ValidationOptions): PropertyDecorator {
  return custom('isUf', options, {
    validate: (value) => isValidUf(value),
    defaultMessage: () => 'validation.uf',
  });
}

export function IsBrazilianPhone(options?: ValidationOptions): PropertyDecorator {
  return custom('isBrazilianPhone', options, {
    validate: (value) => typeof value === 'string' && isValidBrazilianPhone(value),
    defaultMessage: () => 'validation.phone',
  });
}

/** An absolute http(s) URL with a host, ≤ 255 characters. */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return custom('isHttpUrl', options, {
    validate: (value) => typeof value === 'string' && isValidWebsite(value),
    defaultMessage: () => 'validation.website',
  });
}

type Rule = {
  validate: (value: unknown, args: ValidationArguments) => boolean;
  defaultMessage: (args: ValidationArguments) => string;
};

function custom(name: string, options: ValidationOptions | undefined, rule: Rule): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => (args ? rule.validate(value, args) : false),
        defaultMessage: (args?: ValidationArguments) =>
          args ? rule.defaultMessage(args) : 'validation.invalid',
      },
    });
  };
}

function sibling(args: ValidationArguments, property: string): unknown {
  return (args.object as Record<string, unknown>)[property];
}

function personTypeOf(args: ValidationArguments): PersonType | undefined {
  const value = sibling(args, PERSON_TYPE_PROPERTY);
  return value === 'PF' || value === 'PJ' ? value : undefined;
}

function ufOf(args: ValidationArguments): string | null {
  const value = sibling(args, UF_PROPERTY);
  return typeof value === 'string' ? normalizeUf(value) : null;
}
