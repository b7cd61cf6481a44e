// Product identity. The version is injected by build.mjs (esbuild `define`); from sources it is -dev.
declare const __ALTAZION_VERSION__: string | undefined;

export const PRODUCT_NAME = 'altazion-update';
export const PRODUCT_VERSION: string = typeof __ALTAZION_VERSION__ === 'string' ? __ALTAZION_VERSION__ : '0.0.0-dev';

/** Our update service (`service install`), and the legacy services that carried the updater before it (SPEC §2). */
export const UPDATER_SERVICE = { name: 'AltazionUpdate', displayName: 'Altazion - service de mise à jour' } as const;
export const LEGACY_UPDATER_SERVICES = ['EMainServer', 'emainsrv', 'altazionkoostodes'] as const;
