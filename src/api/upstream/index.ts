// Generated from the upstream CRDs of test/env/upstream-crds.ts by `npm run generate`. Do not edit.

export * from './certificate.js';
export * from './httproute.js';
export * from './ingressroute.js';
export * from './listenerset.js';
export * from './middleware.js';
export * from './referencegrant.js';
export * from './tlsoption.js';
