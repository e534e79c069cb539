// Replaced at build time from package.json; the fallback is for runs from sources.
declare const __CHOKEPOINT_VERSION__: string | undefined;
export const VERSION: string = typeof __CHOKEPOINT_VERSION__ === 'string' ? __CHOKEPOINT_VERSION__ : '0.0.0-dev';
