export * from '../orgs/schema.js';
export * from '../users/schema.js';
export * from '../auth/schema.js';
export * from '../audit/schema.js';
