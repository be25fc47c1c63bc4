// Generated from crds/*.yaml by `npm run generate`. Do not edit.

export * from './backuppolicy.js';
export * from './incident.js';
export * from './releasechannel.js';
export * from './restore.js';
export * from './tenant.js';
