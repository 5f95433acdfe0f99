import { IsOptional, IsString, IsUrl, Matches, MaxLength } from 'class-validator';

const url = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** `/settings/integrations/conta-azul`. The client secret is write-only: blank keeps the stored one. */
export class ContaAzulSettingsDto {
  @IsString()
  @MaxLength(200, { message: 'validation.maxLength|$constraint1' })
  @Matches(/^\S+$/, { message: 'integrations.validation.noSpaces' })
  clientId: string;

  @IsOptional()
  @IsString()
  @MaxLength(500, { message: 'validation.maxLength|$constraint1' })
  @Matches(/^\S+$/, { message: 'integrations.validation.noSpaces' })
  clientSecret?: string;

  @IsString()
  @MaxLength(300, { message: 'validation.maxLength|$constraint1' })
  @IsUrl(url, { message: 'integrations.validation.url' })
  authBaseUrl: string;

  @IsString()
  @MaxLength(300, { message: 'validation.maxLength|$constraint1' })
  @IsUrl(url, { message: 'integrations.validation.url' })
  apiBaseUrl: string;
}

export function missingContaAzulFields(
  dto: ContaAzulSettingsDto,
  hasStoredSecret: boolean,
): Record<string, string> {
  return !dto.clientSecret && !hasStoredSecret
    ? { clientSecret: 'integrations.validation.clientSecretRequired' }
    : {};
}
