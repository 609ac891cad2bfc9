import { invalid, type ArmError } from './arm-error';

// ACA's naming rules, which the OpenAPI document does not carry (its only name pattern is
// `^[-\w\._\(\)]+$`). Codes and wording as ACA answers them; sources per rule.

/**
 * Job names: lowercase letters, digits and '-', starting with a letter, ending with a letter or
 * digit, no '--', 2 to 32 characters. Source: DefangLabs/pulumi-defang#543 (the job message, 2026)
 * and microsoft/TWL300-AI-Apps-and-agents#90 (the same message for apps, uncut).
 */
export function jobNameError(name: string): ArmError | undefined {
  const ok = name.length >= 2 && name.length <= 32 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(name) && !name.includes('--');
  if (ok) return undefined;
  return invalid(
    'ContainerAppInvalidName',
    `Invalid ContainerAppsJob name '${name}'. A name must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character and cannot have '--'. The length must be between 2 and 32 characters inclusive.`,
  );
}

/**
 * Env var names: only a-z, A-Z, 0-9 and '_'. Source: Azure/reddog-containerapps#32 and
 * microsoft/azure-container-apps#308 (the rule as introduced in July 2022; whether '.' and '-'
 * are accepted again today is not published).
 */
export function envVarNameError(name: string): ArmError | undefined {
  if (/^[A-Za-z0-9_]+$/.test(name)) return undefined;
  return invalid('ContainerAppInvalidEnvVarName', `Env variable name '${name}' contains invalid character, allowed characters are 'a-z, A-Z, 0-9 and _'`);
}

/**
 * Secret names: lowercase alphanumerics and '-', starting and ending with an alphanumeric, at most
 * 253 characters. Source: Azure/container-apps-deploy-action#116 and #102 (2024).
 */
export function secretNameError(name: string): ArmError | undefined {
  if (name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return undefined;
  return invalid(
    'ContainerAppInvalidSecretName',
    `Secret name has an invalid value '${name}'. A value must consist of lower case alphanumeric characters, '-', and must start and end with an alphanumeric character. The length must not be more than 253 characters.`,
  );
}
