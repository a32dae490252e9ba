// One SDK client class per module, imported with import() by clients.ts: a static named import
// lets esbuild keep only what is used of the package (a dynamic import of the package itself keeps
// every command: 0.9 MB of JavaScript to load for EC2 alone).
export { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
