// The AWS regions Tenantry serves: the one list. `npm run generate` (scripts/regions.ts) writes it
// into the Tenant and BackupPolicy CRDs (spec.region and the KMS keys' regions, between marker
// comments) and into the chart's values.schema.json, and `npm run verify` fails when a copy
// drifted. Adding a region is one line here, then `npm run generate`.

/** Region codes a Tenant, a BackupPolicy and the operator configuration may name, in the CRDs' order. */
export const REGIONS = [
  'us-east-1',
  'eu-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
  'ap-southeast-1',
  'ap-northeast-1',
  'ap-south-1',
] as const;
