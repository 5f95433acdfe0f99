import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { ASAAS_BASE_URLS, ASAAS_ENVIRONMENTS, type AsaasEnvironment } from '../asaas-client';
import { checkbox } from '../../../common/forms';

/** `/settings/integrations/asaas`. The API key is write-only: blank keeps the stored one. */
export class AsaasSettingsDto {
  @IsIn(ASAAS_ENVIRONMENTS, { message: 'validation.choice' }) environment: AsaasEnvironment;

  /** Only for `custom`: the API root including `/v3`, e.g. `https://api-sandbox.asaas.com/v3`. */
  @IsOptional()
  @IsString()
  @MaxLength(300, { message: 'validation.maxLength|$constraint1' })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'integrations.validation.url' },
  )
  baseUrl?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500, { message: 'validation.maxLength|$constraint1' })
  @Matches(/^\S+$/, { message: 'integrations.validation.noSpaces' })
  apiKey?: string;

  @IsOptional() @Transform(checkbox) @IsBoolean() clearApiKey?: boolean;
}

/**
 * What the chosen options still need (field → i18n key). `stored` is the usable key on file and the API
 * address it was saved for: the stored key is sent only there, so a form with another environment or
 * base URL must carry the key again (for saving and for "Testar" alike).
 */
export function missingAsaasFields(
  dto: AsaasSettingsDto,
  stored: { hasKey: boolean; destination: string },
): Record<string, string> {
  const missing: Record<string, string> = {};
  if (dto.environment === 'custom' && !dto.baseUrl)
    missing.baseUrl = 'integrations.validation.baseUrlRequired';
  if (!dto.apiKey && !dto.clearApiKey) {
    if (!stored.hasKey) missing.apiKey = 'integrations.validation.apiKeyRequired';
    else if (asaasDestination(dto) !== stored.destination)
      missing.apiKey = 'integrations.validation.apiKeyForNewDestination';
  }
  return missing;
}

/** The API root a form (or the saved settings) sends the key to. */
export const asaasDestination = (settings: { environment: AsaasEnvironment; baseUrl?: string | null }) =>
  settings.environment === 'custom' ? (settings.baseUrl ?? '') : ASAAS_BASE_URLS[settings.environment];
