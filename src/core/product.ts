// Product identity. The version is injected by build.mjs (esbuild `define`); from sources it is -dev.
declare const __ALTAZION_VERSION__: string | undefined;

export const PRODUCT_NAME = 'altazion-update';
export const PRODUCT_VERSION: string = typeof __ALTAZION_VERSION__ === 'string' ? __ALTAZION_VERSION__ : '0.0.0-dev';

/** Our update service (`service install`), and the legacy services that carried the updater before it (SPEC §2). */
export const UPDATER_SERVICE = { name: 'AltazionUpdate', displayName: 'Altazion - service de mise à jour' } as const;
/** The service host `service install` registers (src/service/host): its folder holds everything the service runs. */
export const SERVICE_HOST_EXE = 'AltazionUpdateService.exe';
export const LEGACY_UPDATER_SERVICES = ['EMainServer', 'emainsrv', 'altazionkoostodes'] as const;
/** The port the legacy main service serves the old portal on (the seed's http://localhost:8080). */
export const LEGACY_PORTAL_PORT = 8080;
/**
 * Our portal sends this header (its version) with every answer: `repair` tells it from another program
 * answering on the same port (the legacy main service's old portal on 8080).
 */
export const PORTAL_MARKER_HEADER = 'X-Altazion-Portal';
