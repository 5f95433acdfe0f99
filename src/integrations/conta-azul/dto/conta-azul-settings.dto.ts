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

/**
 * What the form still needs. `stored` is the usable client secret on file and the addresses it was saved
 * for: the secret goes to the authorisation server (and the tokens it buys to the API), so a form with
 * other addresses must carry the secret again — the stored one is never sent anywhere else.
 */
export function missingContaAzulFields(
  dto: ContaAzulSettingsDto,
  stored: { hasSecret: boolean; authBaseUrl: string; apiBaseUrl: string },
): Record<string, string> {
  if (dto.clientSecret) return {};
  if (!stored.hasSecret) return { clientSecret: 'integrations.validation.clientSecretRequired' };
  return movedFrom(stored, dto)
    ? { clientSecret: 'integrations.validation.clientSecretForNewDestination' }
    : {};
}

/** Whether the form's addresses differ from the saved ones (where the secret and tokens go). */
export const movedFrom = (
  saved: { authBaseUrl: string; apiBaseUrl: string },
  form: { authBaseUrl: string; apiBaseUrl: string },
): boolean => saved.authBaseUrl !== form.authBaseUrl || saved.apiBaseUrl !== form.apiBaseUrl;
