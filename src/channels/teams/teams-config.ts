/**
 * Teams' settings, turned into the SDK's AuthConfiguration. Passed to the
 * SDK explicitly (a connection with `serviceUrl: '*'`), so nothing depends
 * on the environment the SDK reads once when it is first loaded. Only a type
 * is imported from the SDK here: loading this module does not load it.
 */
import type { AuthConfiguration } from '@microsoft/agents-hosting';
import type { Config } from '../../config.js';

export type TeamsConfig = Pick<Config, 'NODE_ENV' | 'PUBLIC_URL' | 'TEAMS_APP_ID' | 'TEAMS_APP_PASSWORD' | 'TEAMS_TENANT_ID' | 'TEAMS_AUTHORITY' | 'TEAMS_SIDECAR_URL' | 'TEAMS_ALLOW_ANONYMOUS'>;

/** Teams runs with an app id (and its secret or sidecar), or, in development, anonymously when asked by name. */
export function teamsConfigured(config: TeamsConfig): boolean {
  return config.TEAMS_APP_ID !== undefined || (config.TEAMS_ALLOW_ANONYMOUS && config.NODE_ENV !== 'production');
}

const CONNECTION = 'serviceConnection';

export function teamsAuthConfiguration(config: TeamsConfig): AuthConfiguration {
  const connection: AuthConfiguration = config.TEAMS_APP_ID
    ? {
        clientId: config.TEAMS_APP_ID,
        ...(config.TEAMS_TENANT_ID ? { tenantId: config.TEAMS_TENANT_ID } : {}),
        authorityEndpoint: config.TEAMS_AUTHORITY ?? 'https://login.microsoftonline.com',
        // The issuer is checked too (the SDK's default leaves it unchecked): the Bot Framework's, this tenant's, Microsoft's own.
        validateIssuer: true,
        ...(config.TEAMS_SIDECAR_URL
          ? { authType: 'EntraAuthSideCar', sidecarBaseUrl: config.TEAMS_SIDECAR_URL }
          : { authType: 'ClientSecret', clientSecret: config.TEAMS_APP_PASSWORD }),
      }
    : {};
  return { ...connection, connections: new Map([[CONNECTION, connection]]), connectionsMap: [{ serviceUrl: '*', connection: CONNECTION }] };
}
