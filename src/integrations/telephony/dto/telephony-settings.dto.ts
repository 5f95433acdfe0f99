import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { sendsSecret, telephonyDestination } from '../telephony-destination';
import { fillTemplate } from '../telephony-provider';
import {
  DIAL_FORMATS,
  METHODS,
  PROVIDERS,
  type DialFormat,
  type HttpMethod,
  type ProviderKind,
} from '../telephony-settings.entity';
import { checkbox } from '../../../common/forms';

const max = 'validation.maxLength|$constraint1';
const SINGLE_LINE = /^[^\r\n\0]*$/;

/** A URL template that becomes an http(s) URL once `{placeholders}` are filled. */
@ValidatorConstraint({ name: 'isUrlTemplate' })
class IsUrlTemplate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return false;
    try {
      const url = new URL(
        fillTemplate(
          value,
          {
            extension: '1000',
            number: '11999999999',
            e164: '+5511999999999',
            contact: 'x',
            username: 'x',
            secret: 'x',
          },
          encodeURIComponent,
        ),
      );
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }
  defaultMessage(): string {
    return 'telephony.validation.urlTemplate';
  }
}

/** One `Name: value` per line, names being HTTP tokens. */
@ValidatorConstraint({ name: 'isHeadersTemplate' })
class IsHeadersTemplate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return (
      typeof value === 'string' &&
      value
        .split(/\r?\n/)
        .filter((line) => line.trim())
        .every((line) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*$/.test(line.trim()))
    );
  }
  defaultMessage(): string {
    return 'telephony.validation.headers';
  }
}

/**
 * `/settings/telephony`. Every field is checked for shape whatever the provider (the form keeps the
 * values of the other providers, so switching back loses nothing); which fields the chosen provider
 * needs is checked by `missingForProvider`.
 */
export class TelephonySettingsDto {
  @IsIn(PROVIDERS, { message: 'validation.choice' }) provider: ProviderKind;

  @IsOptional()
  @IsString()
  @MaxLength(255, { message: max })
  @Matches(/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/, {
    message: 'telephony.validation.host',
  })
  host?: string;
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'telephony.validation.port' })
  @Min(1, { message: 'telephony.validation.port' })
  @Max(65535, { message: 'telephony.validation.port' })
  port?: number;
  @IsOptional()
  @IsString()
  @MaxLength(80, { message: max })
  @Matches(SINGLE_LINE, { message: 'validation.invalid' })
  username?: string;
  /** Write-only: blank keeps the stored secret. */
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: max })
  @Matches(SINGLE_LINE, { message: 'validation.invalid' })
  secret?: string;
  @IsOptional() @Transform(checkbox) @IsBoolean() clearSecret?: boolean;
  @IsOptional()
  @IsString()
  @MaxLength(80, { message: max })
  @Matches(/^[\w.-]+$/, { message: 'telephony.validation.context' })
  context?: string;
  @IsOptional()
  @IsString()
  @MaxLength(120, { message: max })
  @Matches(/^[^\s]*\{extension\}[^\s]*$/, { message: 'telephony.validation.channelTemplate' })
  channelTemplate?: string;
  @IsOptional()
  @IsString()
  @MaxLength(120, { message: max })
  @Matches(SINGLE_LINE, { message: 'validation.invalid' })
  callerId?: string;

  @IsOptional() @IsString() @MaxLength(1000, { message: max }) @Validate(IsUrlTemplate) urlTemplate?: string;
  @IsOptional() @IsIn(METHODS, { message: 'validation.choice' }) method?: HttpMethod;
  @IsOptional()
  @IsString()
  @MaxLength(2000, { message: max })
  @Validate(IsHeadersTemplate)
  headersTemplate?: string;
  @IsOptional() @IsString() @MaxLength(4000, { message: max }) bodyTemplate?: string;

  @IsOptional() @IsIn(DIAL_FORMATS, { message: 'validation.choice' }) dialFormat?: DialFormat;
  @IsOptional()
  @IsString()
  @Matches(/^[0-9*#]{1,8}$/, { message: 'telephony.validation.dialPrefix' })
  dialPrefix?: string;
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'telephony.validation.timeout' })
  @Min(1, { message: 'telephony.validation.timeout' })
  @Max(60, { message: 'telephony.validation.timeout' })
  timeoutSeconds?: number;
}

/**
 * The fields the chosen provider cannot work without (field → i18n key). `stored` is the secret on file
 * and the destination it was saved for: a form that would send the secret elsewhere (another AMI host or
 * port, a URL template with `{secret}` on another origin) must carry it again — the stored one is never
 * sent anywhere else. (Saved elsewhere without using it, the stored secret is dropped by the service.)
 */
export function missingForProvider(
  dto: TelephonySettingsDto,
  stored: { hasSecret: boolean; destination: string | null },
): Record<string, string> {
  const missing: Record<string, string> = {};
  const need = (field: keyof TelephonySettingsDto) => {
    if (dto[field] === undefined) missing[field] = 'validation.required';
  };
  const keepsSecret = stored.hasSecret && !dto.clearSecret && !dto.secret;
  if (keepsSecret && sendsSecret(dto) && telephonyDestination(dto) !== stored.destination)
    missing.secret = 'telephony.validation.secretForNewDestination';
  if (dto.provider === 'asterisk-ami') {
    (['host', 'username', 'context', 'channelTemplate'] as const).forEach(need);
    if (!dto.secret && (!stored.hasSecret || dto.clearSecret))
      missing.secret = 'telephony.validation.secretRequired';
  }
  if (dto.provider === 'http-template') need('urlTemplate');
  if (dto.dialFormat === 'prefix') need('dialPrefix');
  return missing;
}
