export { defaultPlatform } from './default-platform.js';
export type { JsonSchema, JsonValue } from './json-schema.js';
export { platformSchema } from './platform-schema.js';
export { releasesSchema } from './releases-schema.js';
export { environmentNames, patterns, serviceDefaults, serviceSchema, sizeNames } from './service-schema.js';
export type * from './types.js';
